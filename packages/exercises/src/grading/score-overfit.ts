import type { MetricValue, Verdict } from "@stepwise/core/contracts";
import { assembleVerdict, detectOverfitting, type GradedCheck } from "@stepwise/core/verify";
import { kfoldMetrics, kfoldSentence, tally } from "./evaluate";
import { meanAbsoluteError } from "./regression";
import { chosenFor, diagnoseRun, type ScoreInput } from "./score";

/**
 * Step 6: the model must overfit within the epoch budget — validation loss bottoms out and then rises
 * for a sustained stretch while training loss keeps falling. The verdict marks that epoch on the chart.
 * With K-fold the curves are the per-epoch means over the folds, as the overfitting point of a
 * small dataset is read in practice.
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
  const regression = prepared.task.kind === "regression";
  const counts = regression ? undefined : tally(input.predictions, input.testLabels, classes);
  const metrics: Record<string, MetricValue> = counts
    ? { testAccuracy: { label: "Test accuracy (final epoch's weights)", value: counts.correct / counts.n } }
    : {
        testMae: {
          label: "Test MAE, target's unit (final epoch's weights)",
          value: meanAbsoluteError(input.predictions, input.testLabels),
        },
      };
  if (result.overfit) {
    metrics.bestEpoch = { label: "Epoch of lowest validation loss", value: result.bestEpoch };
    metrics.bestValLoss = { label: "Lowest validation loss", value: result.bestValLoss };
  }
  if (!regression) Object.assign(metrics, chosenFor(input, " (final epoch's weights)").metrics);
  if (report.kfold) Object.assign(metrics, kfoldMetrics(report.kfold));
  return assembleVerdict({
    checks,
    metrics,
    history: report.history,
    ...(result.overfit ? { overfitEpoch: result.bestEpoch } : {}),
    diagnostics: diagnoseRun(input, counts?.predictedClassCounts ?? []),
    visibility: exercise.checkVisibility,
    summary: `${checks[0]?.message ?? ""}${report.kfold ? ` ${kfoldSentence(report.kfold)}` : ""}`,
    environment: { backend: report.backend, tfjsVersion: report.tfjsVersion, seed: report.seed, durationMs: report.durationMs },
  });
}
