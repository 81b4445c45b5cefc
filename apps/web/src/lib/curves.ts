import type { EpochMetrics } from "@stepwise/core/contracts";

/** Rows keyed by epoch with one column per submission and series, e.g. `a_valLoss`. */
export function mergeHistories(histories: readonly (readonly EpochMetrics[])[]): Array<Record<string, number>> {
  const rows = new Map<number, Record<string, number>>();
  histories.forEach((history, i) => {
    const tag = i === 0 ? "a" : "b";
    for (const h of history) {
      const row = rows.get(h.epoch) ?? { epoch: h.epoch };
      for (const key of ["loss", "valLoss", "accuracy", "valAccuracy"] as const) {
        const v = h[key];
        if (v !== undefined) row[`${tag}_${key}`] = v;
      }
      rows.set(h.epoch, row);
    }
  });
  return [...rows.values()].sort((x, y) => (x.epoch ?? 0) - (y.epoch ?? 0));
}
