import { z } from "zod";
import { CheckVisibility } from "./verdict";
import { TrainingConfig } from "./training";

export const StepNumber = z.number().int().min(1).max(7);

export const DatasetRef = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("mnist") }).strict(),
  z
    .object({
      kind: z.literal("imdb"),
      vocabularySize: z.number().int().min(100).max(20_000).default(10_000).describe("Most frequent training words kept"),
      /** Padded word-index sequences of this length (Embedding models); multi-hot rows when absent. */
      sequenceLength: z.number().int().min(1).max(2_000).optional(),
      fixedVocabulary: z
        .literal(true)
        .optional()
        .describe(
          "The model's input must be built for exactly `vocabularySize` words: a Dense input of that width, or an Embedding with input_dim vocabularySize + 2 (a guided project's step 4 sets it, over any assignment value); absent, the model's input chooses the vocabulary",
        ),
    })
    .strict(),
  z
    .object({
      kind: z.literal("csv"),
      file: z.string().min(1).describe("CSV file in the course folder"),
      target: z.string().min(1).describe("Name of the target column"),
      task: z.enum(["binary", "multiclass", "regression"]),
    })
    .strict(),
]);
export type DatasetRef = z.infer<typeof DatasetRef>;

export const Budgets = z
  .object({
    maxParams: z.number().int().min(1).describe("Trainable parameters"),
    maxEpochs: z.number().int().min(1).describe("Epochs"),
    maxBatchSize: z.number().int().min(1).default(4096).describe("Examples per batch"),
    maxSeconds: z.number().min(1).describe("Estimated grader training time, seconds"),
  })
  .strict();
export type Budgets = z.infer<typeof Budgets>;

/**
 * Data the grader trains on. `trainLimit`/`testLimit` take the first N examples of a seeded permutation;
 * tests and CI scale them down, real courses leave them unset (full data).
 */
export const DataSlice = z
  .object({
    trainLimit: z.number().int().min(10).optional(),
    testLimit: z.number().int().min(10).optional(),
  })
  .strict();
export type DataSlice = z.infer<typeof DataSlice>;

/**
 * One question of an answer or preprocessing step (steps 1–4). The web app renders a form from these;
 * the answer arrives in `SubmissionPayload.answers[id]`.
 */
export const Question = z
  .object({
    id: z
      .string()
      .regex(/^[a-z][a-zA-Z0-9]*$/)
      .max(64),
    prompt: z.string().min(1).describe("The question, in the student's terms"),
    kind: z.enum(["choice", "number", "text", "boolean"]),
    /** For `choice`: the allowed values and their labels. */
    options: z.array(z.object({ value: z.string(), label: z.string() }).strict()).optional(),
    help: z.string().optional(),
  })
  .strict();
export type Question = z.infer<typeof Question>;

export const ExerciseDefinition = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
    step: StepNumber,
    title: z.string().min(1),
    summary: z.string().min(1).describe("Markdown shown above the exercise"),
    kind: z.enum(["answer", "preprocessing", "training"]),
    dataset: DatasetRef,
    metric: z.enum(["accuracy", "mae"]).default("accuracy"),
    /** Nominal dumb baseline; the verifier uses max(baseline, majority-class rate of the test split). */
    baseline: z.number().min(0).max(1).optional(),
    /** Test metric a passing model must reach (step 7), on top of beating the baseline. */
    target: z.number().optional(),
    /**
     * Step 7 in a guided course whose student chose another metric in step 2: the target in that
     * metric (class 1's recall for precision-recall, its F1, ROC AUC). Without one, `target` applies.
     */
    metricTargets: z
      .object({ "precision-recall": z.number().min(0).max(1), f1: z.number().min(0).max(1), "roc-auc": z.number().min(0).max(1) })
      .partial()
      .strict()
      .optional(),
    /**
     * Smallest change (absolute, in the compared metric's units: accuracy, or standardized loss for
     * regression) that step 7 counts as a change of the train/validation gap or of the validation
     * metric; anything smaller is within run-to-run noise.
     */
    minEffect: z.number().min(0).max(1).default(0.01),
    budgets: Budgets,
    data: DataSlice.default({}),
    seed: z.number().int().min(1).default(1337),
    checkVisibility: z.record(z.string(), CheckVisibility).default({}),
    /** Questions of an answer or preprocessing step; empty for training steps. */
    questions: z.array(Question).default([]),
    /** `tf.layers` code the step page pre-fills. */
    starterCode: z.string().optional(),
    /** Default training settings the editor pre-fills. */
    starterTraining: TrainingConfig.optional(),
    hints: z.array(z.string()).default([]),
  })
  .strict();
export type ExerciseDefinition = z.infer<typeof ExerciseDefinition>;
