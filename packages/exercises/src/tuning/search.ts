import { z } from "zod";
import { Halving } from "./halving";

/**
 * A declared hyperparameter search over the student's step-7 model: which values to try and how
 * many trials to spend. One schema for the CLI's search file, the web form, the tRPC input and the
 * search stored with the grader's job. Each trial is the student's model with these values applied
 * (`apply.ts`); selection reads validation only (`run.ts`).
 */

/** Most trials one search may declare; an assignment's `toolbox.tuningTrials` caps it lower. */
export const MAX_TUNING_TRIALS = 50;
/** Most values one dimension may list: a grid multiplies them. */
export const MAX_VALUES_PER_DIMENSION = 20;
/** Most hidden blocks a trial may have (the model's layer limit applies on top). */
export const MAX_HIDDEN_LAYERS = 8;

const LearningRate = z
  .number()
  .gt(0, { message: "a learning rate must be > 0" })
  .max(10, { message: "a learning rate must be ≤ 10" })
  .describe("Learning rate (unitless), 0 < lr ≤ 10");

const values = <T extends z.ZodType>(item: T, what: string) =>
  z
    .array(item)
    .min(1, { message: `list at least one ${what}` })
    .max(MAX_VALUES_PER_DIMENSION, { message: `list at most ${MAX_VALUES_PER_DIMENSION} values` })
    .refine((list) => new Set(list).size === list.length, { message: "values must not repeat" });

export const LearningRateRange = z
  .object({
    min: LearningRate.describe("Smallest learning rate a random draw may take"),
    max: LearningRate.describe("Largest learning rate a random draw may take"),
    scale: z.literal("log").describe("Draws are uniform in log10(learning rate): as many between 1e-4 and 1e-3 as between 1e-3 and 1e-2"),
  })
  .strict()
  .refine((r) => r.min < r.max, { message: "min must be smaller than max", path: ["max"] })
  .describe("A range of learning rates for random search, drawn on a log scale");
export type LearningRateRange = z.infer<typeof LearningRateRange>;

export const SearchSpace = z
  .object({
    learningRate: z
      .union([values(LearningRate, "learning rate"), LearningRateRange])
      .optional()
      .describe('Learning rates to try: a list (grid or random), or {min, max, scale: "log"} (random only)'),
    units: values(z.number().int().min(1).max(4096), "number of units").optional().describe("Units of every hidden Dense layer (1–4096)"),
    layers: values(z.number().int().min(1).max(MAX_HIDDEN_LAYERS), "number of hidden layers")
      .optional()
      .describe(
        `Hidden Dense blocks before the output layer (1–${MAX_HIDDEN_LAYERS}); each block is a Dense layer with the Dropout/BatchNormalization that follows it`,
      ),
    dropout: values(z.number().min(0).max(0.9), "dropout rate")
      .optional()
      .describe("Rate of every Dropout layer (0–0.9); the model needs at least one Dropout layer"),
  })
  .strict()
  .refine((s) => s.learningRate !== undefined || s.units !== undefined || s.layers !== undefined || s.dropout !== undefined, {
    message: "search at least one of learningRate, units, layers, dropout",
  })
  .describe("Hyperparameters to search and their candidate values");
export type SearchSpace = z.infer<typeof SearchSpace>;

export const TuningSearch = z
  .object({
    strategy: z.enum(["grid", "random"]).describe("grid: every combination of the listed values; random: seeded draws from the space"),
    trials: z
      .number()
      .int()
      .min(1)
      .max(MAX_TUNING_TRIALS)
      .describe(`Trials to run (1–${MAX_TUNING_TRIALS}; the assignment may allow fewer). Each trains the model once on the training split`),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .optional()
      .describe("Seed of the random draws (random search); default the exercise's seed"),
    space: SearchSpace,
    halving: Halving.optional().describe("Absent: every trial trains for all the model's epochs"),
  })
  .strict()
  .describe("A hyperparameter search on the step-7 model, selected on validation only");
export type TuningSearch = z.infer<typeof TuningSearch>;

/** The hyperparameters one trial sets; absent keys keep the student's value. */
export const TrialValues = z
  .object({
    learningRate: z.number().positive().optional().describe("Learning rate of the optimizer"),
    units: z.number().int().min(1).optional().describe("Units of every hidden Dense layer"),
    layers: z.number().int().min(1).optional().describe("Hidden Dense blocks before the output layer"),
    dropout: z.number().min(0).max(1).optional().describe("Rate of every Dropout layer"),
  })
  .strict();
export type TrialValues = z.infer<typeof TrialValues>;

export const HYPERPARAMETERS = ["learningRate", "units", "layers", "dropout"] as const;
export type Hyperparameter = (typeof HYPERPARAMETERS)[number];
