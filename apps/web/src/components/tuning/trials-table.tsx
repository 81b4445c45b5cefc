import type { Hyperparameter, TuningResult } from "@stepwise/exercises/tuning";
import { COLUMN, DIMENSIONS, gapText, metricText, selectionName } from "./format";

const STATUS_TEXT: Record<TuningResult["trials"][number]["status"], string> = {
  ok: "ok",
  skipped: "skipped",
  stopped: "stopped",
  pruned: "not continued",
};

/**
 * Every trial of a search, in the order they ran: the values it set, its validation score at its best
 * epoch, the train/validation gap there, its time and status. The selected trial is marked in words
 * (not only by colour), and a skipped or stopped trial says why.
 */
export function TrialsTable({ result }: { result: TuningResult }) {
  const dims: Hyperparameter[] = DIMENSIONS.filter(
    (k) => result.search.space[k] !== undefined || result.trials.some((t) => t.values[k] !== undefined),
  );
  const metric = selectionName(result.metric);
  return (
    <div style={{ overflowX: "auto" }}>
      <table data-testid="tuning-trials">
        <caption className="muted small" style={{ textAlign: "left", captionSide: "top", paddingBottom: "0.35rem" }}>
          Every trial, scored on the validation split only ({metric}, {result.metric.higherIsBetter ? "higher" : "lower"} is better).
          {result.schedule &&
            ` Successive halving: ${result.schedule.map((r) => `${r.trials} trial${r.trials === 1 ? "" : "s"} × ${r.epochs} epoch${r.epochs === 1 ? "" : "s"}`).join(", then ")}; only the best continued.`}
        </caption>
        <thead>
          <tr>
            <th scope="col" className="num">
              Trial
            </th>
            {dims.map((d) => (
              <th key={d} scope="col" className="num">
                {COLUMN[d]}
              </th>
            ))}
            <th scope="col" className="num">
              {metric}
            </th>
            {result.schedule && (
              <th scope="col" className="num">
                epochs trained
              </th>
            )}
            <th scope="col" className="num">
              best epoch
            </th>
            <th scope="col" className="num">
              train/val gap
            </th>
            <th scope="col" className="num">
              seconds
            </th>
            <th scope="col">status</th>
          </tr>
        </thead>
        <tbody>
          {result.trials.map((t) => {
            const selected = t.index === result.selected;
            return (
              <tr
                key={t.index}
                data-testid={selected ? "tuning-trial-selected" : "tuning-trial"}
                aria-current={selected ? "true" : undefined}
                style={selected ? { background: "var(--pass-bg)", fontWeight: 600 } : undefined}
              >
                <th scope="row" className="num">
                  {t.index}
                </th>
                {dims.map((d) => (
                  <td key={d} className="num">
                    {t.values[d] ?? "—"}
                  </td>
                ))}
                <td className="num">{metricText(t.validation, result.metric)}</td>
                {result.schedule && <td className="num">{t.epochs ?? "—"}</td>}
                <td className="num">{t.bestEpoch ?? "—"}</td>
                <td className="num">{gapText(t.gap)}</td>
                <td className="num">{t.seconds.toFixed(1)}</td>
                <td>
                  {selected ? (
                    <span className="badge passed">selected</span>
                  ) : (
                    <span className={`badge${t.status === "ok" || t.status === "pruned" ? "" : " failed"}`}>{STATUS_TEXT[t.status]}</span>
                  )}
                  {t.reason && <div className="muted small">{t.reason}</div>}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
