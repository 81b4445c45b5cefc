import type { EpochMetrics } from "../contracts/training";

/** A learning curve from parallel arrays, epochs numbered from 1. */
export function curve(loss: number[], valLoss?: number[], accuracy?: number[], valAccuracy?: number[]): EpochMetrics[] {
  return loss.map((l, i) => ({
    epoch: i + 1,
    loss: l,
    ...(valLoss?.[i] !== undefined ? { valLoss: valLoss[i] } : {}),
    ...(accuracy?.[i] !== undefined ? { accuracy: accuracy[i] } : {}),
    ...(valAccuracy?.[i] !== undefined ? { valAccuracy: valAccuracy[i] } : {}),
    seconds: 1,
  }));
}
