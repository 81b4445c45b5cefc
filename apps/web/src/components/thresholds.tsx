/** The bars a training step's model must clear, as the assignment sets them (the instructor's overrides included). */
export function Thresholds({ metric, baseline, target }: { metric: "accuracy" | "mae"; baseline: number | null; target: number | null }) {
  const mae = metric === "mae";
  const figure = (x: number) => (mae ? x.toLocaleString("en-US") : String(x));
  return (
    <dl className="metrics" aria-label="Thresholds" style={{ margin: "0 0 0.75rem" }}>
      <div className="metric">
        <dt className="label">Metric</dt>
        <dd className="value" style={{ margin: 0 }}>
          {mae ? "Mean absolute error" : "Accuracy"}
        </dd>
      </div>
      <div className="metric" data-testid="baseline">
        <dt className="label">Baseline to beat</dt>
        <dd className="value" style={{ margin: 0 }}>
          {baseline !== null ? `${figure(baseline)} or the majority class` : mae ? "the mean training value" : "the majority class"}
        </dd>
      </div>
      {target !== null && (
        <div className="metric" data-testid="target">
          <dt className="label">Target on the test set</dt>
          <dd className="value" style={{ margin: 0 }}>
            {mae ? `≤ ${figure(target)}` : `≥ ${figure(target)}`}
          </dd>
        </div>
      )}
    </dl>
  );
}
