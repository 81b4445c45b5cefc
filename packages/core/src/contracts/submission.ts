import { z } from "zod";
import { ModelSpec } from "./model";
import { TrainingConfig } from "./training";

export const ExerciseId = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[a-z0-9][a-z0-9-]*$/, { message: "exercise ids are lower-case words joined by '-'" });

/** What the browser (or CLI) sends. Identity, course and score never come from here. */
export const SubmissionPayload = z
  .object({
    exerciseId: ExerciseId,
    model: ModelSpec.optional(),
    training: TrainingConfig.optional(),
    /** The `tf.layers` code the student wrote, kept only to show it back to them; the grader trains `model` and never runs this. */
    code: z.string().max(100_000).optional(),
    /**
     * A metric the student saw. A browser preview trains on a subset on another backend, so its
     * number is shown beside the grader's, never checked; only a claim from the student's own
     * training on the full data with the submitted settings (`source: "full"`) is compared.
     */
    claimed: z
      .object({
        metric: z.enum(["valAccuracy", "valLoss"]),
        value: z.number().finite(),
        source: z
          .enum(["preview", "full"])
          .default("preview")
          .describe("preview: the browser's subset preview (shown, not checked); full: the same data and settings as submitted (checked)"),
        examples: z.number().int().positive().optional().describe("Examples the preview trained on"),
      })
      .strict()
      .optional(),
    /** Answers of steps 1–4, keyed by question id. */
    answers: z.record(z.string().max(64), z.union([z.string().max(2000), z.number().finite(), z.boolean()])).optional(),
  })
  .strict();
export type SubmissionPayload = z.infer<typeof SubmissionPayload>;

export const JobStatus = z.enum(["queued", "running", "done", "dead", "cancelled"]);
export type JobStatus = z.infer<typeof JobStatus>;

/** The queue message: only ids. The worker loads and re-validates the submission itself. */
export const GradingJob = z
  .object({
    jobId: z.string().min(1),
    submissionId: z.string().min(1),
    attempt: z.number().int().min(1),
  })
  .strict();
export type GradingJob = z.infer<typeof GradingJob>;

/** A progress event the grader stores while a job runs; the web app streams them. */
export const ProgressEvent = z.discriminatedUnion("type", [
  z.object({ type: z.literal("started"), backend: z.string(), epochs: z.number().int() }),
  z.object({
    type: z.literal("epoch"),
    epoch: z.number().int().min(1),
    epochs: z.number().int().min(1),
    loss: z.number(),
    accuracy: z.number().optional(),
    valLoss: z.number().optional(),
    valAccuracy: z.number().optional(),
    seconds: z.number(),
  }),
  z.object({ type: z.literal("evaluating") }),
  z.object({
    type: z.literal("run"),
    label: z
      .string()
      .max(200)
      .describe('Which training of a multi-model grading is running, e.g. "training seed 2 of 3"; its epochs are not streamed'),
  }),
  /**
   * Where a grading is, for the student's status line: preparing the data, training run `run` of
   * `runs` (its label, epoch `epoch` of `epochs` done), or evaluating on the hidden test set (always
   * the last phase). Written alongside the events above, which draw the curves.
   */
  z.object({
    type: z.literal("phase"),
    phase: z.enum(["preparing", "training", "evaluating"]),
    run: z.number().int().min(1).optional().describe("1-based index of the training running now"),
    runs: z.number().int().min(1).optional().describe("Trainings this grading runs in all"),
    label: z.string().max(200).optional().describe('What the running training is, e.g. "your step-6 model, for the comparison"'),
    epoch: z.number().int().min(0).optional().describe("Epochs of this training finished so far"),
    epochs: z.number().int().min(1).optional().describe("Epochs this training runs"),
    etaSeconds: z
      .number()
      .min(0)
      .optional()
      .describe(
        "Estimated seconds until the verdict when this was written: the grader's calibration, corrected by the epochs measured so far",
      ),
    at: z.number().describe("When this was written, ms since the epoch (the grader's clock)"),
  }),
]);
export type ProgressEvent = z.infer<typeof ProgressEvent>;

/**
 * What a claimed job asks the grader to do, as the queue hands it out: grade the submission (a
 * grading or a regrade's preview), run one debugging experiment on its model, or run a tuning
 * search. The experiment's name and the search are parsed by the exercises package, which owns
 * them; a name or search that does not parse is the student's to hear about, not a broken job.
 */
export const JobWork = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("grade") }).strict(),
  z
    .object({ kind: z.literal("experiment"), experiment: z.string().describe('Name of the debugging experiment, e.g. "loss-per-batch"') })
    .strict(),
  z
    .object({
      kind: z.literal("tune"),
      search: z.unknown().describe("The declared search stored with the job (TuningSearch JSON); null when none was stored"),
    })
    .strict(),
]);
export type JobWork = z.infer<typeof JobWork>;
