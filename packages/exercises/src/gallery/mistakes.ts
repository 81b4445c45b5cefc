import type { DataSlice, SubmissionPayload, VerdictStatus } from "@stepwise/core/contracts";
import { solutions } from "../solutions";
import { both, compile, fit, hiddenStack, holdout, mistakeIn, outputLayer } from "./edit";

/**
 * A dataset of the exercise's replaced by a variant of its CSV (the same table, sorted or with
 * outliers): what a mistake in the *data* looks like, since the student's code never prepares it.
 */
export interface CsvVariant {
  /** File name the variant is graded under (it names the dataset in messages). */
  file: string;
  /** The variant's text from the built-in table's. */
  transform: (text: string) => string;
}

export interface Mistake {
  id: string;
  /** The step-5 checklist question (or step) the mistake answers. */
  checklist: string;
  /** What was changed in the reference solution, in a teacher's words. */
  what: string;
  exerciseId: string;
  submission: SubmissionPayload;
  /** Step 7: the step-6 model it is compared with. */
  previous?: SubmissionPayload;
  csv?: CsvVariant;
  /** The smallest slice that still shows the mistake (the exercise's own data when absent). */
  slice?: DataSlice;
  /** Step 7 on a slice: a target the slice can reach (the full-data target cannot be met on it). */
  target?: number;
  expected: {
    status: VerdictStatus;
    /** The diagnostic code (or, for steps 6–7, the failed check's id) the verdict must carry. */
    code: string;
  };
}

const SMALL: DataSlice = { trainLimit: 1_000, testLimit: 300 };

/** The credit table with its rows ordered by the target: every "0" first, then every "1". */
export function sortedByTarget(text: string): string {
  const [header = "", ...rows] = text.trim().split("\n");
  const target = (row: string) => row.slice(row.lastIndexOf(",") + 1);
  return [header, ...rows.filter((r) => target(r) === "0"), ...rows.filter((r) => target(r) !== "0")].join("\n");
}

/** Three houses whose lot is 1,000× larger: standardizing leaves them about √(n/3) ≈ 26 std out. */
export function withOutliers(text: string): string {
  const [header = "", ...rows] = text.trim().split("\n");
  const lot = header.split(",").indexOf("lot_m2");
  return [
    header,
    ...rows.map((row, i) =>
      i < 3
        ? row
            .split(",")
            .map((v, c) => (c === lot ? String(Number(v) * 1000 + 1_000_000) : v))
            .join(",")
        : row,
    ),
  ].join("\n");
}

const naive = (exerciseId: string): SubmissionPayload => {
  const submission = solutions[exerciseId]?.naive;
  if (!submission) throw new Error(`no naive solution for ${exerciseId}`);
  return submission;
};

/**
 * One submission per mistake of the step-5 checklist (and steps 6–7), each with the status and the
 * diagnostic it must get. CI regrades every one on the smallest slice and the fewest epochs that
 * still show the mistake; instructors can read it as the catalogue of what the grader recognizes.
 */
export const MISTAKES: readonly Mistake[] = [
  {
    id: "regression-through-sigmoid",
    checklist: "Is the last layer's activation right for the task?",
    what: "house prices predicted through a sigmoid output, which can only answer between 0 and 1",
    exerciseId: "houses-beat-baseline",
    submission: mistakeIn(
      "houses-beat-baseline",
      both(
        (s) => {
          outputLayer(s).activation = "sigmoid";
        },
        fit({ epochs: 3 }),
      ),
    ),
    slice: SMALL,
    // The grader standardizes prices, so a (0, 1) output can still beat the mean; the step fails it anyway.
    expected: { status: "failed", code: "squashing-regression-output" },
  },
  {
    id: "sigmoid-on-ten-digits",
    checklist: "Is the last layer's activation right for the task?",
    what: "a sigmoid head on MNIST's 10 classes: the outputs are not a choice between classes",
    exerciseId: "mnist-beat-baseline",
    submission: mistakeIn(
      "mnist-beat-baseline",
      both(
        (s) => {
          outputLayer(s).activation = "sigmoid";
        },
        fit({ epochs: 1 }),
      ),
    ),
    slice: SMALL,
    expected: { status: "failed", code: "sigmoid-multiclass" },
  },
  {
    id: "regression-loss-on-classes",
    checklist: "Is the loss right for the task?",
    what: "credit default (yes/no) trained with meanSquaredError",
    exerciseId: "credit-beat-baseline",
    submission: mistakeIn(
      "credit-beat-baseline",
      both(compile({ loss: "meanSquaredError", metrics: ["accuracy"] }), fit({ epochs: 2 }), holdout),
    ),
    expected: { status: "failed", code: "loss-task-mismatch" },
  },
  {
    id: "learning-rate-far-too-high",
    checklist: "Is the learning rate right?",
    what: "Adam at learning rate 10 on MNIST: the first update throws the weights 100× their size",
    exerciseId: "mnist-beat-baseline",
    submission: mistakeIn("mnist-beat-baseline", both(compile({ optimizer: "adam", learningRate: 10 }), fit({ epochs: 1 }))),
    slice: SMALL,
    expected: { status: "failed", code: "learning-rate-too-high" },
  },
  {
    id: "learning-rate-far-too-low",
    checklist: "Is the learning rate right?",
    what: "plain SGD at 1e-5 on MNIST: a whole epoch moves the weights by thousandths of a percent",
    exerciseId: "mnist-beat-baseline",
    submission: mistakeIn("mnist-beat-baseline", both(compile({ optimizer: "sgd", learningRate: 1e-5 }), fit({ epochs: 1 }))),
    slice: SMALL,
    expected: { status: "failed", code: "learning-rate-too-low" },
  },
  {
    id: "diverging-regression",
    checklist: "Is the learning rate right?",
    what: "plain SGD at 0.6 on standardized house prices: the loss overflows within the first epoch",
    exerciseId: "houses-beat-baseline",
    submission: mistakeIn("houses-beat-baseline", both(compile({ optimizer: "sgd", learningRate: 0.6 }), fit({ epochs: 3 }))),
    expected: { status: "diverged", code: "loss-nan" },
  },
  {
    id: "loss-not-decreasing",
    checklist: "Is the loss decreasing?",
    what: "Adam at 0.5 on MNIST saturates the softmax in epoch 1; the loss ends higher than it started",
    exerciseId: "mnist-beat-baseline",
    submission: mistakeIn("mnist-beat-baseline", compile({ optimizer: "adam", learningRate: 0.5 })),
    slice: SMALL,
    expected: { status: "failed", code: "loss-not-decreasing" },
  },
  {
    id: "no-shuffling-on-sorted-data",
    checklist: "Is the data shuffled?",
    what: "a credit table sorted by its target, trained with shuffling off",
    exerciseId: "credit-beat-baseline",
    submission: mistakeIn("credit-beat-baseline", both(fit({ shuffle: false, epochs: 2 }), holdout)),
    csv: { file: "credit-sorted.csv", transform: sortedByTarget },
    expected: { status: "failed", code: "labels-not-shuffled" },
  },
  {
    id: "unscaled-inputs",
    checklist: "Are the inputs (and targets) scaled?",
    what: "a house table whose lot sizes have extreme outliers, still ±26 std after standardizing",
    exerciseId: "houses-beat-baseline",
    submission: mistakeIn("houses-beat-baseline", fit({ epochs: 3 })),
    csv: { file: "houses-outliers.csv", transform: withOutliers },
    expected: { status: "passed", code: "inputs-not-normalized" },
  },
  {
    id: "constant-predictions",
    checklist: "Does the model answer the same whatever the input?",
    what: 'a linear model after 3 epochs of plain SGD on the credit table: it always answers "no default" (the naive solution)',
    exerciseId: "credit-beat-baseline",
    submission: naive("credit-beat-baseline"),
    expected: { status: "failed", code: "constant-predictions" },
  },
  {
    id: "softmax-over-one-unit",
    checklist: "Is the last layer's activation right for the task?",
    what: "softmax over a single output unit always answers 1 (the mistake of IMDB's naive solution, on the credit table)",
    exerciseId: "credit-beat-baseline",
    submission: mistakeIn(
      "credit-beat-baseline",
      both(
        (s) => {
          outputLayer(s).activation = "softmax";
        },
        fit({ epochs: 1 }),
        holdout,
      ),
    ),
    slice: SMALL,
    expected: { status: "failed", code: "softmax-single-unit" },
  },
  {
    id: "untrained-at-1e-7",
    checklist: "Is the learning rate right?",
    what: "a learning rate of 1e-7 leaves MNIST's network at its initialization (the naive solution)",
    exerciseId: "mnist-beat-baseline",
    submission: mistakeIn("mnist-beat-baseline", fit({ epochs: 1 }), "naive"),
    slice: SMALL,
    expected: { status: "failed", code: "learning-rate-too-low" },
  },
  {
    id: "vanishing-gradients",
    checklist: "Does your model have too many layers?",
    what: "8 sigmoid hidden layers trained with plain SGD (9 weight layers): the gradient dies before the first layers",
    exerciseId: "mnist-beat-baseline",
    submission: mistakeIn(
      "mnist-beat-baseline",
      both(hiddenStack(8, 32, "sigmoid"), compile({ optimizer: "sgd", learningRate: 0.01 }), fit({ epochs: 1, batchSize: 32 })),
    ),
    slice: SMALL,
    expected: { status: "failed", code: "vanishing-gradients" },
  },
  {
    id: "exploding-gradients",
    checklist: "Does your model have too many layers?",
    what: "5 relu layers of 64 units with weights drawn at std 0.5 on house prices: activations and gradients grow ×2.8 per layer",
    exerciseId: "houses-beat-baseline",
    submission: mistakeIn(
      "houses-beat-baseline",
      both(
        hiddenStack(5, 64, "relu", { class_name: "RandomNormal", config: { mean: 0, stddev: 0.5 } }),
        compile({ optimizer: "sgd", learningRate: 0.001 }),
        fit({ epochs: 2 }),
      ),
    ),
    expected: { status: "diverged", code: "exploding-gradients" },
  },
  {
    id: "not-overfitting-yet",
    checklist: "Step 6: make the model overfit",
    what: "4 hidden units for 3 epochs is still improving: too little capacity and time to overfit (the naive solution)",
    exerciseId: "credit-overfit",
    submission: naive("credit-overfit"),
    expected: { status: "failed", code: "overfits" },
  },
  {
    id: "regularizing-nothing",
    checklist: "Step 7: regularize the overfitting model",
    what: "the step-6 model resubmitted unchanged cannot narrow its own train/validation gap",
    exerciseId: "credit-regularize",
    submission: mistakeIn("credit-overfit", both(hiddenStack(2, 32, "relu"), fit({ epochs: 4 }))),
    previous: mistakeIn("credit-overfit", both(hiddenStack(2, 32, "relu"), fit({ epochs: 4 }))),
    slice: SMALL,
    expected: { status: "failed", code: "smaller-gap" },
  },
];
