import { z } from "zod";
import { Curve } from "../experiments/result";
import { TrialValues, TuningSearch } from "./search";

/**
 * What a tuning search returns and the grader stores (`experiment_results.result` of its `tune`
 * job): one schema for the CLI's `--json`, the stored row and the web's table and chart. JSON
 * cannot hold NaN or infinity (a diverged trial), so such numbers are `null` here, as in
 * `experiments/result.ts`.
 */

/** The experiment name a tuning job carries (`jobs.experiment`). */
export const TUNE_EXPERIMENT = "tune";

const Num = z.number().nullable();

export const TrialStatus = z
  .enum(["ok", "skipped", "stopped", "pruned"])
  .describe(
    "ok: trained and scored on validation; skipped: not trained (over budget, not applicable); stopped: training ended early (time budget, divergence); pruned: trained for a rung's epochs and not continued (successive halving)",
  );
export type TrialStatus = z.infer<typeof TrialStatus>;

export const TuningTrial = z
  .object({
    index: z.number().int().min(1).describe("1-based trial number, in the order trials ran"),
    values: TrialValues.describe("The hyperparameters this trial set"),
    status: TrialStatus,
    reason: z.string().optional().describe("Why a trial was skipped or stopped, in the student's terms"),
    params: z.number().int().min(0).optional().describe("Trainable parameters of this trial's model"),
    validation: Num.describe("Validation metric at the best epoch: accuracy (0–1), or loss for regression; null when not scored"),
    training: Num.describe("Training metric at the same epoch"),
    bestEpoch: z.number().int().min(1).nullable().describe("1-based epoch with the best validation metric"),
    gap: Num.describe("Train/validation gap at the best epoch: training − validation accuracy, or validation − training loss (regression)"),
    seconds: z.number().min(0).describe("Wall-clock seconds the trial took (every rung it trained in, with successive halving)"),
    epochs: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe("Epochs of its last run under successive halving; absent when every trial trains all the model's epochs"),
    history: Curve.describe("Per-epoch training and validation metrics"),
  })
  .strict();
export type TuningTrial = z.infer<typeof TuningTrial>;

export const SelectionMetric = z
  .object({
    name: z.enum(["accuracy", "loss"]).describe("accuracy for classification; loss (the training loss, on validation) for regression"),
    higherIsBetter: z.boolean(),
    split: z.literal("validation").describe("Selection never reads the test set"),
  })
  .strict();
export type SelectionMetric = z.infer<typeof SelectionMetric>;

/** How many of the student's evaluations on the hidden test set are used, after this search. */
export const TestEvaluations = z
  .object({ used: z.number().int().min(0), limit: z.number().int().min(0) })
  .strict()
  .describe("The student's evaluations on the hidden test set for this assignment");
export type TestEvaluations = z.infer<typeof TestEvaluations>;

export const FinalEvaluation = z.discriminatedUnion("status", [
  z
    .object({
      status: z.literal("evaluated"),
      metric: z.enum(["accuracy", "mae"]).describe("Test metric: accuracy (0–1), or MAE in the target's unit"),
      test: z.number().describe("The selected configuration's test metric, measured once"),
      interval: z
        .object({ lower: z.number(), upper: z.number(), level: z.number() })
        .strict()
        .optional()
        .describe("Confidence interval of a test accuracy (Wilson)"),
      epochs: z.number().int().min(1).describe("Epochs of the retraining: the selected trial's best epoch"),
      trainExamples: z.number().int().min(1).describe("Examples of train+validation the final model trained on"),
      testExamples: z.number().int().min(1),
      seconds: z.number().min(0),
      evaluations: TestEvaluations.optional().describe("Absent when run locally (the CLI keeps no count)"),
    })
    .strict(),
  z
    .object({
      status: z.literal("not_run"),
      reason: z.string().describe("Why the selected configuration was not evaluated on test, in the student's terms"),
      evaluations: TestEvaluations.optional(),
    })
    .strict(),
]);
export type FinalEvaluation = z.infer<typeof FinalEvaluation>;

export const TuningResult = z
  .object({
    experiment: z.literal(TUNE_EXPERIMENT),
    search: TuningSearch.describe(
      "The search as declared; a search asking for more trials than the assignment allows is refused, never cut",
    ),
    metric: SelectionMetric,
    trials: z.array(TuningTrial),
    selected: z.number().int().min(1).nullable().describe("Index of the trial selected on validation; null when no trial was scored"),
    final: FinalEvaluation,
    backend: z.string().describe("TF.js backend the trials trained on"),
    seeds: z
      .object({
        training: z.number().int().describe("Training seed of every trial and of the final model"),
        split: z.number().int().describe("Seed of the validation split: the same examples validate every trial"),
        search: z.number().int().describe("Seed of the random draws"),
      })
      .strict(),
    trainExamples: z.number().int().min(0).describe("Examples of the training split (before the validation split) each trial drew on"),
    schedule: z
      .array(z.object({ trials: z.number().int().min(1), epochs: z.number().int().min(1) }).strict())
      .optional()
      .describe("Successive halving's rungs as run: trials entering each rung and the epochs each trains"),
    durationMs: z.number().min(0),
  })
  .strict();
export type TuningResult = z.infer<typeof TuningResult>;
