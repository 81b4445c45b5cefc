import type { MetricValue, Verdict } from "@stepwise/core/contracts";
import { assembleVerdict, detectOverfitting, diagnose, type GradedCheck } from "@stepwise/core/verify";
import { specFacts, tally, type ScoreInput } from "./score";

/**
 * Step 6: the model must overfit within the epoch budget — validation loss bottoms out and then rises
 * for a sustained stretch while training loss keeps falling. The verdict marks that epoch on the chart.
 */
export function scoreOverfit(input: ScoreInput): Verdict {
  const { exercise, prepared, report } = input;
  const result = detectOverfitting(report.history, { patience: 2 });
  const checks: GradedCheck[] = [
    result.overfit
      ? { id: "overfits", passed: true, message: result.evidence, visibility: "always" }
      : { id: "overfits", passed: false, message: `${result.message} Try: ${result.advice.join(" ")}`, visibility: "always" },
  ];
  const classes = Math.max(2, prepared.task.numClasses);
  const counts = tally(input.predictions, input.testLabels, classes);
  const metrics: Record<string, MetricValue> = {
    testAccuracy: { label: "Test accuracy (final epoch's weights)", value: counts.correct / counts.n },
  };
  if (result.overfit) {
    metrics.bestEpoch = { label: "Epoch of lowest validation loss", value: result.bestEpoch };
    metrics.bestValLoss = { label: "Lowest validation loss", value: result.bestValLoss };
  }
  return assembleVerdict({
    checks,
    metrics,
    history: report.history,
    ...(result.overfit ? { overfitEpoch: result.bestEpoch } : {}),
    diagnostics: diagnose({
      spec: specFacts(prepared),
      task: { kind: prepared.task.kind, numClasses: classes },
      history: report.history,
      predictions: { predictedClassCounts: counts.predictedClassCounts, outputStd: input.outputStd },
    }),
    visibility: exercise.checkVisibility,
    summary: checks[0]?.message ?? "",
    environment: { backend: report.backend, tfjsVersion: report.tfjsVersion, seed: report.seed, durationMs: report.durationMs },
  });
}
