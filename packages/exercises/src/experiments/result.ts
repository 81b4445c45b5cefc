import { z } from "zod";
import { EpochMetrics } from "@stepwise/core/contracts";
import { EXPERIMENTS } from "./names";

/**
 * What an experiment returns and the grader stores (`experiment_results.result`): one schema for the
 * CLI's `--json`, the stored row and the web's charts. Losses can be NaN or infinite when training
 * diverges; JSON cannot hold those, so they are `null` here.
 */
const Loss = z.number().nullable().describe("Loss value; null when it was NaN or infinite (training diverged)");

export const Curve = z
  .array(EpochMetrics.extend({ loss: Loss, valLoss: Loss.optional() }))
  .describe("Per-epoch training (and validation) loss and accuracy");
export type Curve = z.infer<typeof Curve>;

export const Histogram = z
  .object({
    from: z.number().describe("Lower edge of the first bin"),
    to: z.number().describe("Upper edge of the last bin"),
    counts: z.array(z.number().int().min(0)).describe("Examples per bin; bins are of equal width"),
  })
  .strict();
export type Histogram = z.infer<typeof Histogram>;

const Stats = z
  .object({ mean: z.number(), std: z.number(), min: z.number(), max: z.number(), histogram: Histogram })
  .strict()
  .describe("Summary of a set of numbers");

const OutputsSummary = z
  .object({
    histogram: Histogram.describe(
      "Classification: the probability of the predicted class (binary: the sigmoid output) in 10 bins over 0–1; regression: the outputs",
    ),
    classCounts: z.array(z.number().int().min(0)).describe("Validation examples predicted as each class (empty for regression)"),
    topClassShare: z.number().min(0).max(1).describe("Share of the most predicted class (0 for regression)"),
    saturated: z.number().min(0).max(1).describe("Share of examples whose probability is within 0.01 of 0 or 1"),
    std: z.number().min(0).describe("Standard deviation of the outputs across examples, averaged over output units"),
  })
  .strict();

const Composition = z
  .object({
    counts: z.array(z.array(z.number().int().min(0))).describe("Per batch, the number of examples of each class (or target bin)"),
    longestRun: z.number().int().min(0).describe("Longest run of consecutive examples of one class"),
    singleClassBatches: z.number().int().min(0).describe("Batches holding one class only"),
    looksShuffled: z.boolean(),
  })
  .strict();

export const Evidence = z.discriminatedUnion("kind", [
  z
    .object({
      kind: z.literal("curve"),
      history: Curve,
      baseline: z.number().optional().describe("Accuracy a model reaches by chance here, drawn as a reference line"),
    })
    .strict(),
  z
    .object({
      kind: z.literal("one-feature"),
      input: z.string().describe("What the model saw instead of its full input, in the student's terms"),
      features: z.number().int().min(1).describe("Values of information per example left"),
      fullFeatures: z.number().int().min(1).describe("Values per example of the full input"),
      metric: z.enum(["accuracy", "loss"]).describe("What `score` and `baseline` measure on validation"),
      score: z.number().nullable(),
      baseline: z.number().describe("The score of the dumb baseline (majority class, or predicting the mean)"),
      history: Curve,
    })
    .strict(),
  z
    .object({
      kind: z.literal("batches"),
      batchSize: z.number().int().min(1),
      shuffle: z.boolean().describe("The student's `fit.shuffle`"),
      classes: z.array(z.string()).describe("Column names of `counts`: class indices, or target ranges for regression"),
      pipeline: Composition.describe("The first batches as the grader's pipeline delivers them in the first epoch"),
      raw: Composition.describe("The same number of examples in the raw order of the training data"),
    })
    .strict(),
  z
    .object({
      kind: z.literal("outputs"),
      start: OutputsSummary.describe("The untrained model, with its seeded initial weights"),
      trained: OutputsSummary.describe("After a short training"),
      history: Curve,
    })
    .strict(),
  z
    .object({
      kind: z.literal("batch-loss"),
      optimizer: z.string(),
      learningRate: z.number(),
      batchSize: z.number().int().min(1),
      epochSize: z.number().int().min(1).describe("Training examples per epoch"),
      batches: z.array(z.object({ step: z.number().int().min(0), loss: Loss }).strict()),
    })
    .strict(),
  z
    .object({
      kind: z.literal("lr-range"),
      optimizer: z.string(),
      from: z.number().describe("First learning rate of the sweep"),
      to: z.number().describe("Last learning rate the sweep would reach"),
      points: z.array(z.object({ learningRate: z.number(), loss: Loss, smoothed: Loss }).strict()),
      minimumAt: z.number().nullable().describe("Learning rate where the smoothed loss was lowest"),
      steepestAt: z.number().nullable().describe("Learning rate where the smoothed loss fell fastest"),
      suggested: z.number().describe("Suggested learning rate"),
      student: z.number().describe("The student's learning rate"),
      reference: z
        .object({ optimizer: z.literal("rmsprop"), learningRate: z.literal(0.001) })
        .strict()
        .describe("The checklist's starting point"),
    })
    .strict(),
  z
    .object({
      kind: z.literal("data-size"),
      metric: z
        .enum(["accuracy", "loss"])
        .describe("What `trainMetric` and `valMetric` measure: accuracy (0–1), or the loss for regression"),
      validationExamples: z.number().int().min(1).describe("Held-out examples every point is validated on (the same ones for every size)"),
      points: z
        .array(
          z
            .object({
              fraction: z.number().gt(0).max(1).describe("Share of the experiment's training examples this model trained on"),
              examples: z.number().int().min(1).describe("Training examples this model trained on"),
              trainMetric: z
                .number()
                .nullable()
                .describe("Training metric at the epoch of best validation metric; null if it was not finite"),
              valMetric: z.number().nullable().describe("Best validation metric over the epochs; null if it was never finite"),
            })
            .strict(),
        )
        .min(2)
        .describe("One model per training-set size, smallest first"),
    })
    .strict(),
  z
    .object({
      kind: z.literal("label-scale"),
      targets: Stats.describe("Training targets"),
      outputs: Stats.describe("Outputs of the untrained model on the same examples"),
      ratio: z.number().describe("Typical size (root mean square) of the targets divided by that of the outputs"),
    })
    .strict(),
]);
export type Evidence = z.infer<typeof Evidence>;

export const ExperimentResult = z
  .object({
    experiment: z.enum(EXPERIMENTS),
    outcome: z.string().describe("Short code of the finding, one of OUTCOMES[experiment]"),
    healthy: z.boolean().describe("Whether the finding is the healthy one"),
    message: z.string().describe("What was found, in the student's terms"),
    hint: z.string().optional().describe("What to try next"),
    evidence: Evidence,
    durationMs: z.number().min(0),
  })
  .strict();
export type ExperimentResult = z.infer<typeof ExperimentResult>;
