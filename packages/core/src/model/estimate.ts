import type { Tf } from "../backend/tf";
import { BudgetError } from "../contracts/errors";
import type { ModelSummary } from "../contracts/model";
import type { TrainingConfig } from "../contracts/training";

export interface TrainingBudgets {
  maxEpochs: number;
  maxBatchSize: number;
  maxParams: number;
  maxSeconds: number;
}

export interface EstimateInput {
  /** Training examples per epoch. */
  examples: number;
  epochs: number;
  /** Effective multiply-add throughput of the backend in 10⁹/s, from `calibrate`. */
  gflops: number;
}

/**
 * Seconds to train, from multiply-adds alone. Real steps add overhead (optimizer updates, batch
 * assembly, small kernels), so `calibrate` measures a Dense-shaped product, not a peak figure.
 */
export function estimateTrainingSeconds(summary: ModelSummary, input: EstimateInput): number {
  const work = summary.trainingFlopsPerExample * input.examples * input.epochs;
  return work / (Math.max(input.gflops, 1e-3) * 1e9);
}

/**
 * Effective 10⁹ multiply-adds per second of the current backend on a Dense-training-shaped
 * product (128×784 by 784×512), timed after a warm-up. Takes ~0.1–0.5 s.
 */
export async function calibrate(tf: Tf, { minMs = 150 } = {}): Promise<number> {
  const [m, k, n] = [128, 784, 512];
  const a = tf.randomUniform([m, k], -1, 1, "float32", 1);
  const b = tf.randomUniform([k, n], -1, 1, "float32", 2);
  try {
    const step = async (): Promise<void> => {
      const c = tf.matMul(a, b);
      await c.data();
      c.dispose();
    };
    await step();
    let runs = 0;
    const start = performance.now();
    while (performance.now() - start < minMs) {
      await step();
      runs += 1;
    }
    const seconds = (performance.now() - start) / 1000;
    return (runs * m * k * n) / seconds / 1e9;
  } finally {
    a.dispose();
    b.dispose();
  }
}

function over(what: string, value: number, limit: number, unit: string): BudgetError {
  const fmt = (x: number): string => x.toLocaleString("en-US", { maximumFractionDigits: 1 });
  return new BudgetError(`${what} ${fmt(value)} ${unit}; this exercise allows ${fmt(limit)} (${(value / limit).toFixed(1)}× over)`);
}

/**
 * Checks a submission's training settings against the exercise budgets before anything trains.
 * Returns the estimated seconds when an estimate input is given.
 */
export function validateTrainingConfig(
  config: TrainingConfig,
  budgets: TrainingBudgets,
  summary: ModelSummary,
  estimate?: Omit<EstimateInput, "epochs">,
): number | undefined {
  if (summary.totalParams > budgets.maxParams) throw over("the model has", summary.totalParams, budgets.maxParams, "parameters");
  if (config.fit.epochs > budgets.maxEpochs) throw over("training asks for", config.fit.epochs, budgets.maxEpochs, "epochs");
  if (config.fit.batchSize > budgets.maxBatchSize) {
    throw over("the batch size is", config.fit.batchSize, budgets.maxBatchSize, "examples");
  }
  if (!estimate) return undefined;
  const seconds = estimateTrainingSeconds(summary, { ...estimate, epochs: config.fit.epochs });
  if (seconds > budgets.maxSeconds) throw over("training would take about", seconds, budgets.maxSeconds, "seconds");
  return seconds;
}
