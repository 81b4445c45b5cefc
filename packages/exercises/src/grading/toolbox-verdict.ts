import type { EarlyStopping, MetricValue, TrainingConfig, TrainingReport } from "@stepwise/core/contracts";

/**
 * Epochs one early-stopped run settled on: its best epoch when it restored the best weights (the
 * model it returned is that epoch's), else the epoch it stopped at. At least 1.
 */
export function chosenEpochs(stopping: EarlyStopping, report: Pick<TrainingReport, "history" | "bestEpoch">): number {
  const epochs = stopping.restoreBestWeights ? (report.bestEpoch ?? report.history.length) : report.history.length;
  return Math.max(1, epochs);
}

/**
 * Epochs a final model trains for on all training data, where there is no validation data for early
 * stopping to watch: what the comparison run settled on (the folds' mean for K-fold, which records
 * it), or the configured epochs without early stopping.
 */
export function finalEpochs(training: TrainingConfig, report: Pick<TrainingReport, "history" | "bestEpoch" | "kfold">): number {
  const stopping = training.fit.earlyStopping;
  if (!stopping) return training.fit.epochs;
  return report.kfold?.finalEpochs ?? chosenEpochs(stopping, report);
}

/** The final-epochs line of a step-7 verdict: what early stopping did in the comparison run and what the final model made of it. */
function earlyStoppingLine(
  stopping: EarlyStopping,
  report: Pick<TrainingReport, "history" | "bestEpoch" | "kfold" | "stopReason">,
  epochs: number,
): string {
  if (report.kfold) {
    return (
      `Epochs the final model trained on all training data: the mean over the ${report.kfold.folds.length} folds of the epoch early stopping (patience ${stopping.patience}) settled on` +
      `${stopping.restoreBestWeights ? " (each fold's lowest validation loss)" : ""}; the final model has no validation data to stop on`
    );
  }
  const ran = report.history.length;
  const what =
    report.stopReason === "early_stopping"
      ? `early stopping (patience ${stopping.patience}) stopped the comparison run at epoch ${ran}`
      : `early stopping (patience ${stopping.patience}) did not trigger in the comparison run's ${ran} epochs`;
  const restored =
    stopping.restoreBestWeights && report.bestEpoch !== undefined
      ? ` and restored the weights of epoch ${report.bestEpoch}, its lowest validation loss`
      : "";
  return `Epochs the final model trained on train+validation: ${what}${restored}; the final model has no validation data to stop on, so it trains ${epochs} epoch${epochs === 1 ? "" : "s"}`;
}

/**
 * Verdict metric lines for the toolbox techniques a step-7 submission used: the augmentation's bounds
 * (applied to training batches only) and the epochs early stopping chose for the final model.
 */
export function toolboxMetrics(
  training: TrainingConfig,
  report: Pick<TrainingReport, "history" | "bestEpoch" | "kfold" | "stopReason">,
): Record<string, MetricValue> {
  const metrics: Record<string, MetricValue> = {};
  const augmentation = training.fit.augmentation;
  if (augmentation) {
    const where = "data augmentation of training batches; validation and test images are used as they are";
    if (augmentation.shift > 0) metrics.augmentationShift = { label: `Largest random shift, pixels (${where})`, value: augmentation.shift };
    if (augmentation.rotation > 0)
      metrics.augmentationRotation = { label: `Largest random rotation, degrees (${where})`, value: augmentation.rotation };
    if (augmentation.zoom > 0)
      metrics.augmentationZoom = { label: `Largest random zoom, fraction of the image size (${where})`, value: augmentation.zoom };
  }
  const stopping = training.fit.earlyStopping;
  if (stopping) {
    const epochs = finalEpochs(training, report);
    metrics.finalEpochs = { label: earlyStoppingLine(stopping, report, epochs), value: epochs };
  }
  return metrics;
}
