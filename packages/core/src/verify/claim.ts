import type { EpochMetrics } from "../contracts/training";
import type { Check } from "../contracts/verdict";
import { formatNumber, formatRate } from "./format";
import { StatsInputError } from "./stats";

export type ClaimedMetric = "valAccuracy" | "valLoss";

export interface ClaimTolerance {
  /** Largest |claimed − reproduced| that still agrees. */
  absolute?: number;
  /** Largest |claimed − reproduced| / |reproduced| that still agrees (losses vary in scale). */
  relative?: number;
}

// Browser and server train on different backends and, for the preview, on a different shuffle, so
// an honest claim is close but rarely equal. 0.05 accuracy is the documented default.
export const DEFAULT_CLAIM_TOLERANCE: Record<ClaimedMetric, ClaimTolerance> = {
  valAccuracy: { absolute: 0.05 },
  valLoss: { relative: 0.25 },
};

/** The number a claim is compared with: the metric of the last epoch that recorded it. */
export function reproducedMetric(history: readonly EpochMetrics[], metric: ClaimedMetric): number | undefined {
  for (let i = history.length - 1; i >= 0; i--) {
    const value = history[i]?.[metric];
    if (value !== undefined) return value;
  }
  return undefined;
}

/** Does the metric the student saw in the browser match what the grader reproduced? */
export function checkClaim(input: {
  claimed: { metric: ClaimedMetric; value: number };
  reproduced: number;
  tolerance?: ClaimTolerance;
}): Check {
  const { claimed, reproduced } = input;
  const tolerance = input.tolerance ?? DEFAULT_CLAIM_TOLERANCE[claimed.metric];
  if (tolerance.absolute === undefined && tolerance.relative === undefined) {
    throw new StatsInputError("claim tolerance needs `absolute` or `relative`, got neither");
  }
  const difference = Math.abs(claimed.value - reproduced);
  const allowed = Math.max(tolerance.absolute ?? 0, (tolerance.relative ?? 0) * Math.abs(reproduced));
  const passed = Number.isFinite(claimed.value) && Number.isFinite(reproduced) && difference <= allowed;
  const name = claimed.metric === "valAccuracy" ? "validation accuracy" : "validation loss";
  const fmt = claimed.metric === "valAccuracy" ? formatRate : formatNumber;
  return {
    id: "claim-reproduced",
    passed,
    visibility: "always",
    message: passed
      ? `Your claimed ${name} ${fmt(claimed.value)} matches the grader's ${fmt(reproduced)} (within ${fmt(allowed)}).`
      : `Your claimed ${name} ${fmt(claimed.value)} differs from the grader's ${fmt(reproduced)} by ${fmt(difference)}, ` +
        `more than the ${fmt(allowed)} allowed. Did you train with the same settings you submitted?`,
  };
}
