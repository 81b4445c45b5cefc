import { metricName, type ProjectMetric } from "@stepwise/core/contracts";
import type { StepTarget } from "@stepwise/exercises";

/**
 * The bars a training step's model must clear, as the assignment sets them (the instructor's overrides
 * included); in a guided project, the metric chosen in step 2 and the target expressed in it.
 */
export function Thresholds({
  metric,
  chosen,
  baseline,
  target,
}: {
  metric: "accuracy" | "mae";
  chosen?: ProjectMetric | null | undefined;
  baseline: number | null;
  target: StepTarget | null;
}) {
  const mae = metric === "mae";
  const figure = (x: number, inMae: boolean) => (inMae ? x.toLocaleString("en-US") : String(x));
  const metricText = chosen
    ? `${metricName(chosen)[0]?.toUpperCase()}${metricName(chosen).slice(1)} (your choice in step 2)`
    : mae
      ? "Mean absolute error"
      : "Accuracy";
  return (
    <dl className="metrics" aria-label="Thresholds" style={{ margin: "0 0 0.75rem" }}>
      <div className="metric" data-testid="project-metric">
        <dt className="label">Metric</dt>
        <dd className="value" style={{ margin: 0 }}>
          {metricText}
        </dd>
      </div>
      <div className="metric" data-testid="baseline">
        <dt className="label">Baseline to beat</dt>
        <dd className="value" style={{ margin: 0 }}>
          {baseline !== null ? `${figure(baseline, mae)} or the majority class` : mae ? "the mean training value" : "the majority class"}
        </dd>
      </div>
      {target !== null && (
        <div className="metric" data-testid="target">
          <dt className="label">Target on the test set</dt>
          <dd className="value" style={{ margin: 0 }}>
            {`${target.name} ${target.higherIsBetter ? "≥" : "≤"} ${figure(target.value, target.metric === "mae")}`}
          </dd>
        </div>
      )}
    </dl>
  );
}
