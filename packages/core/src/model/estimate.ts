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
 * What a grader reaches training, measured by training two reference models (`measureTrainingThroughput`):
 * one multiply-add figure cannot cost both a 784-32-10 model, whose steps are mostly fixed cost (batch
 * assembly, optimizer bookkeeping, small kernels), and a 784-512-512-10 one, whose steps are mostly
 * matrix products; a fixed cost per step and a throughput on the products costs both.
 */
export interface TrainingThroughput {
  /** 10⁹ multiply-adds per second of the products of a training step (and of validation passes). */
  gflops: number;
  /** Fixed seconds of every training step whatever the model's size. */
  stepSeconds: number;
}

/** The work of one epoch as `epochSeconds` costs it. */
export interface EpochWork {
  /** Examples trained on (forward and backward). */
  train: number;
  /** Examples only predicted (validation, test inputs): a forward pass, a third of a training example. */
  evaluate: number;
  /** Training batch size: the steps are ⌈train / batchSize⌉. */
  batchSize: number;
}

const stepsOf = (work: EpochWork) => (work.train > 0 ? Math.ceil(work.train / Math.max(1, work.batchSize)) : 0);
const multiplyAdds = (trainingFlopsPerExample: number, work: EpochWork) => trainingFlopsPerExample * (work.train + work.evaluate / 3);

/** Seconds of one epoch of a model costing `trainingFlopsPerExample` multiply-adds per trained example. */
export function epochSeconds(trainingFlopsPerExample: number, work: EpochWork, speed: TrainingThroughput): number {
  return stepsOf(work) * speed.stepSeconds + multiplyAdds(trainingFlopsPerExample, work) / (Math.max(speed.gflops, 1e-3) * 1e9);
}

/**
 * What one training costs beyond its epochs, seconds, when the graders' measured training speed costs
 * the epochs: the grader hands every training to a warm child it reuses (GRADER_CHILD_JOBS), so a
 * training pays the request, reading its slice from the dataset cache, building the model and a first
 * epoch slower than the steady ones the calibration times — not a process start. Measured on the
 * default MNIST search: 0.2–0.9 s between each training's wall time and its epochs' on a grader loaded
 * about 5× (0.07 s from the claim to the first trial); ~0.1 s on an idle grader's IMDB trials. The
 * speed correction learns whatever this misses, since it compares whole trainings with it included.
 */
export const WARM_TRAINING_OVERHEAD_SECONDS = 0.5;

/** One whole training as the estimates cost it: `epochs` epochs of `work`, then a forward pass over `predicted` test inputs. */
export interface TrainingWork {
  trainingFlopsPerExample: number;
  work: EpochWork;
  epochs: number;
  /** Test inputs predicted after training (the final model's, a grading's); 0 for a tuning trial. */
  predicted: number;
}

/** Seconds of one whole training in a warm child: its fixed cost, its epochs and its prediction of the test inputs. */
export function trainingSeconds(training: TrainingWork, speed: TrainingThroughput): number {
  const { trainingFlopsPerExample: flops, work, epochs, predicted } = training;
  return (
    WARM_TRAINING_OVERHEAD_SECONDS +
    epochs * epochSeconds(flops, work, speed) +
    (predicted > 0 ? epochSeconds(flops, { train: 0, evaluate: predicted, batchSize: work.batchSize }, speed) : 0)
  );
}

/** One timed epoch of a reference model. */
export interface ThroughputSample {
  trainingFlopsPerExample: number;
  work: EpochWork;
  seconds: number;
}

/**
 * The step cost and throughput that explain two timed epochs, a small model's and a large one's:
 * seconds = steps × stepSeconds + multiply-adds / throughput, two equations in two unknowns. Timing
 * noise that would make either negative is put on the throughput: the step cost is then 0 and the
 * large model alone sets the throughput.
 */
export function fitThroughput(small: ThroughputSample, large: ThroughputSample): TrainingThroughput {
  const [s1, s2] = [stepsOf(small.work), stepsOf(large.work)];
  const [w1, w2] = [multiplyAdds(small.trainingFlopsPerExample, small.work), multiplyAdds(large.trainingFlopsPerExample, large.work)];
  const det = s1 * w2 - s2 * w1;
  const step = det !== 0 ? (small.seconds * w2 - large.seconds * w1) / det : 0;
  const perMultiplyAdd = det !== 0 ? (s1 * large.seconds - s2 * small.seconds) / det : 0;
  if (step >= 0 && perMultiplyAdd > 0) return { gflops: 1 / perMultiplyAdd / 1e9, stepSeconds: step };
  return { gflops: w2 / Math.max(large.seconds, 1e-9) / 1e9, stepSeconds: 0 };
}

/**
 * Effective 10⁹ multiply-adds per second of the current backend on a Dense-training-shaped
 * product (128×784 by 784×512), timed after a warm-up. Takes ~0.1–0.5 s. `now` (ms) is the clock
 * it times with, wall time by default; the grader's calibration child passes its CPU time.
 */
export async function calibrate(
  tf: Tf,
  { minMs = 150, now = () => performance.now() }: { minMs?: number; now?: () => number } = {},
): Promise<number> {
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
    const start = now();
    while (now() - start < minMs) {
      await step();
      runs += 1;
    }
    const seconds = (now() - start) / 1000;
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
