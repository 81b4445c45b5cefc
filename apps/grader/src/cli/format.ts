import type { EpochMetrics, Verdict } from "@stepwise/core/contracts";

const fixed = (value: number | undefined, digits = 4) => (value === undefined ? "—" : value.toFixed(digits));

/** One line per epoch, rewritten in place on a terminal. */
export function progressLine(metrics: EpochMetrics, epochs: number): string {
  const width = 20;
  const done = Math.round((metrics.epoch / epochs) * width);
  const bar = `${"█".repeat(done)}${"░".repeat(width - done)}`;
  return `${bar} epoch ${metrics.epoch}/${epochs}  loss ${fixed(metrics.loss)}  acc ${fixed(metrics.accuracy)}  val_loss ${fixed(metrics.valLoss)}  val_acc ${fixed(metrics.valAccuracy)}  ${metrics.seconds.toFixed(1)} s`;
}

export function verdictTable(verdict: Verdict): string {
  const lines = [`${verdict.status.toUpperCase()}  score ${verdict.score.toFixed(2)}`, verdict.summary, ""];
  for (const check of verdict.checks) lines.push(`  ${check.passed ? "✓" : "✗"} ${check.id}: ${check.message}`);
  const metrics = Object.entries(verdict.metrics);
  if (metrics.length) {
    lines.push("");
    for (const [, metric] of metrics) {
      const ci = metric.interval
        ? `  (${Math.round(metric.interval.level * 100)}% CI ${metric.interval.lower.toFixed(3)}–${metric.interval.upper.toFixed(3)})`
        : "";
      lines.push(
        `  ${metric.label.padEnd(34)} ${metric.value < 1e-3 && metric.value > 0 ? metric.value.toExponential(2) : metric.value.toFixed(4)}${ci}`,
      );
    }
  }
  if (verdict.diagnostics.length) {
    lines.push("", "Diagnostics:");
    for (const d of verdict.diagnostics) lines.push(`  • ${d.message}`, `    hint: ${d.hint}`);
  }
  if (verdict.environment) {
    const e = verdict.environment;
    lines.push("", `backend ${e.backend} · tfjs ${e.tfjsVersion} · seed ${e.seed} · ${(e.durationMs / 1000).toFixed(1)} s`);
  }
  return lines.join("\n");
}

/** Exit codes: 0 passed, 1 failed (including timed out, out of memory, diverged), 2 invalid, 3 grader error. */
export function exitCodeOf(verdict: Verdict): number {
  switch (verdict.status) {
    case "passed":
      return 0;
    case "invalid":
      return 2;
    case "error":
      return 3;
    default:
      return 1;
  }
}
