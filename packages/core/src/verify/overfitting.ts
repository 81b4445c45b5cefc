import type { EpochMetrics } from "../contracts/training";
import { formatNumber } from "./format";
import { StatsInputError } from "./stats";

export interface OverfittingOptions {
  /** Epochs after the best one whose validation loss must stay above the threshold. */
  patience?: number;
  /** Relative margin: an epoch counts as "above" when valLoss > min · (1 + tolerance). */
  tolerance?: number;
}

export type NotOverfitReason = "no-validation" | "diverged" | "still-improving" | "rise-not-sustained" | "training-loss-not-falling";

export type OverfittingResult =
  | {
      overfit: true;
      /** 1-based epoch (the `epoch` field of the history) with the lowest validation loss. */
      bestEpoch: number;
      bestValLoss: number;
      /** Epochs after `bestEpoch` with validation loss above the threshold. */
      epochsAbove: number;
      evidence: string;
    }
  | {
      overfit: false;
      reason: NotOverfitReason;
      /** What the curves show, in the student's terms. */
      message: string;
      /** What to try next. */
      advice: string[];
      bestEpoch?: number;
    };

const GROW_ADVICE = ["Train for more epochs.", "Add units to your layers.", "Add another layer."];

/**
 * Step 6 asks for a model that overfits: validation loss reaches a minimum and then rises for
 * a sustained stretch while training loss keeps falling. A rise that comes with a rising training
 * loss is unstable optimisation, not overfitting, and is reported as such.
 */
export function detectOverfitting(history: readonly EpochMetrics[], options: OverfittingOptions = {}): OverfittingResult {
  const { patience = 2, tolerance = 0 } = options;
  if (!Number.isInteger(patience) || patience < 1) throw new StatsInputError(`patience must be an integer ≥ 1, got ${patience}`);
  if (!(tolerance >= 0)) throw new StatsInputError(`tolerance must be ≥ 0, got ${tolerance}`);

  const rows = history.filter((row): row is EpochMetrics & { valLoss: number } => row.valLoss !== undefined);
  if (rows.length === 0) {
    return {
      overfit: false,
      reason: "no-validation",
      message: "No validation loss was recorded, so overfitting cannot be seen.",
      advice: ["Set validationSplit above 0 (for example 0.2) so each epoch is measured on held-out data."],
    };
  }
  if (rows.some((row) => !Number.isFinite(row.valLoss) || !Number.isFinite(row.loss))) {
    return {
      overfit: false,
      reason: "diverged",
      message: "The loss became NaN or infinite: training diverged before it could overfit.",
      advice: ["Lower the learning rate (try 10× smaller).", "Check that inputs are scaled to small values."],
    };
  }

  let bestIndex = 0;
  rows.forEach((row, i) => {
    if (row.valLoss < (rows[bestIndex]?.valLoss ?? Infinity)) bestIndex = i;
  });
  const best = rows[bestIndex] ?? rows[0];
  const last = rows[rows.length - 1];
  if (!best || !last) throw new StatsInputError("history unexpectedly empty");
  const threshold = best.valLoss * (1 + tolerance);
  const after = rows.slice(bestIndex + 1);
  const above = after.filter((row) => row.valLoss > threshold);

  if (after.length === 0) {
    return {
      overfit: false,
      reason: "still-improving",
      message: `Validation loss was still falling at the last epoch (${best.epoch}, ${formatNumber(best.valLoss)}): the model has not started to overfit yet.`,
      advice: GROW_ADVICE,
      bestEpoch: best.epoch,
    };
  }
  if (above.length < patience) {
    return {
      overfit: false,
      reason: "rise-not-sustained",
      message:
        `Validation loss was lowest at epoch ${best.epoch} (${formatNumber(best.valLoss)}), but only ${above.length} ` +
        `later epoch${above.length === 1 ? "" : "s"} rose above it${tolerance > 0 ? ` by more than ${Math.round(tolerance * 100)}%` : ""}; ` +
        `overfitting needs at least ${patience}.`,
      advice: GROW_ADVICE,
      bestEpoch: best.epoch,
    };
  }
  if (!(last.loss < best.loss)) {
    return {
      overfit: false,
      reason: "training-loss-not-falling",
      message:
        `Validation loss rose after epoch ${best.epoch}, but training loss did not keep falling ` +
        `(${formatNumber(best.loss)} at epoch ${best.epoch}, ${formatNumber(last.loss)} at epoch ${last.epoch}): ` +
        "that is unstable training, not overfitting.",
      advice: ["Lower the learning rate.", "Then grow the model: more units, more layers, more epochs."],
      bestEpoch: best.epoch,
    };
  }
  const worst = above.reduce((a, b) => (b.valLoss > a.valLoss ? b : a));
  return {
    overfit: true,
    bestEpoch: best.epoch,
    bestValLoss: best.valLoss,
    epochsAbove: above.length,
    evidence:
      `Validation loss was lowest at epoch ${best.epoch} (${formatNumber(best.valLoss)}) and stayed above it for ` +
      `${above.length} of the ${after.length} later epochs, up to ${formatNumber(worst.valLoss)} at epoch ${worst.epoch}, ` +
      `while training loss kept falling from ${formatNumber(best.loss)} to ${formatNumber(last.loss)}.`,
  };
}
