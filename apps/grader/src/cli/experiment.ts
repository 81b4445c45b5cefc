import type { BatchLoss } from "@stepwise/core/training";
import type { ExperimentResult } from "@stepwise/exercises/experiments";

const BARS = "▁▂▃▄▅▆▇█";

/** A one-line chart of a series; gaps (null) print as spaces. */
export function sparkline(values: (number | null)[], width = 60): string {
  const step = Math.max(1, Math.ceil(values.length / width));
  const sampled = values.filter((_, i) => i % step === 0);
  const finite = sampled.filter((v): v is number => v !== null && Number.isFinite(v));
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  return sampled
    .map((v) =>
      v === null || !Number.isFinite(v) ? " " : (BARS[hi > lo ? Math.round(((v - lo) / (hi - lo)) * (BARS.length - 1)) : 0] ?? " "),
    )
    .join("");
}

const short = (x: number | null) =>
  x === null ? "—" : Math.abs(x) < 1e-3 && x !== 0 ? x.toExponential(1) : String(Number(x.toPrecision(3)));

/** The evidence in a few terminal lines: what a chart on the web shows. */
function evidenceLines(result: ExperimentResult): string[] {
  const e = result.evidence;
  switch (e.kind) {
    case "curve":
    case "one-feature":
      return [
        `  training loss by epoch  ${sparkline(e.history.map((h) => h.loss))}  ${short(e.history[0]?.loss ?? null)} → ${short(e.history.at(-1)?.loss ?? null)}`,
      ];
    case "batches": {
      const row = (counts: number[]) => counts.map((c) => String(c).padStart(3)).join("");
      return [
        `  classes            ${e.classes.map((c) => c.slice(0, 3).padStart(3)).join("")}`,
        ...e.pipeline.counts.slice(0, 5).map((counts, i) => `  pipeline batch ${String(i + 1).padEnd(3)} ${row(counts)}`),
        ...e.raw.counts.slice(0, 3).map((counts, i) => `  raw batch ${String(i + 1).padEnd(8)} ${row(counts)}`),
      ];
    }
    case "outputs":
      return [
        `  probability histogram at the start  ${sparkline(e.start.histogram.counts, 10)}  (0 … 1)`,
        `  probability histogram after training ${sparkline(e.trained.histogram.counts, 10)}`,
        ...(e.trained.classCounts.length ? [`  predicted classes after training: ${e.trained.classCounts.join(" ")}`] : []),
      ];
    case "batch-loss":
      return [
        `  loss per batch  ${sparkline(e.batches.map((b) => b.loss))}  ${short(e.batches[0]?.loss ?? null)} → ${short(e.batches.at(-1)?.loss ?? null)}`,
      ];
    case "lr-range":
      return [
        `  smoothed loss from lr ${short(e.from)} to ${short(e.points.at(-1)?.learningRate ?? e.to)}  ${sparkline(e.points.map((p) => p.smoothed))}`,
        `  lowest at ${short(e.minimumAt)} · steepest at ${short(e.steepestAt)} · suggested ${short(e.suggested)} · yours ${short(e.student)} · checklist start rmsprop 0.001`,
      ];
    case "data-size": {
      const row = (label: string, cells: string[]) => `  ${label.padEnd(20)}${cells.map((c) => c.padStart(8)).join("")}`;
      return [
        row(
          "training examples",
          e.points.map((p) => String(p.examples)),
        ),
        row(
          `training ${e.metric}`,
          e.points.map((p) => short(p.trainMetric)),
        ),
        row(
          `validation ${e.metric}`,
          e.points.map((p) => short(p.valMetric)),
        ),
        `  every size validated on the same ${e.validationExamples} held-out examples`,
      ];
    }
    case "label-scale":
      return [
        `  targets  mean ${short(e.targets.mean)}  std ${short(e.targets.std)}  range ${short(e.targets.min)} … ${short(e.targets.max)}`,
        `  outputs  mean ${short(e.outputs.mean)}  std ${short(e.outputs.std)}  range ${short(e.outputs.min)} … ${short(e.outputs.max)}`,
      ];
  }
}

export function experimentReport(result: ExperimentResult): string {
  return [
    `${result.healthy ? "✓" : "✗"} ${result.experiment}: ${result.outcome}`,
    result.message,
    ...(result.hint ? [`hint: ${result.hint}`] : []),
    "",
    ...evidenceLines(result),
    `  ${(result.durationMs / 1000).toFixed(1)} s`,
  ].join("\n");
}

/** Progress of the step-by-step experiments: a line every 20 batches. */
export function batchLine(batch: BatchLoss): string | undefined {
  return batch.step % 20 === 0 ? `batch ${batch.step + 1}  loss ${short(batch.loss)}  lr ${short(batch.learningRate)}` : undefined;
}
