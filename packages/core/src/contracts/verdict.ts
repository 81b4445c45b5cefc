import { z } from "zod";
import { ProjectDecisions } from "./decisions";
import { EpochMetrics } from "./training";

export const VerdictStatus = z.enum(["passed", "failed", "invalid", "timed_out", "out_of_memory", "diverged", "error"]);
export type VerdictStatus = z.infer<typeof VerdictStatus>;

export const CheckVisibility = z.enum(["always", "after_deadline", "never"]);
export type CheckVisibility = z.infer<typeof CheckVisibility>;

export const Check = z.object({
  id: z.string(),
  passed: z.boolean(),
  message: z.string(),
  visibility: CheckVisibility.default("always"),
});
export type Check = z.infer<typeof Check>;

export const MetricValue = z.object({
  label: z.string(),
  value: z.number(),
  /** Confidence interval, e.g. Wilson 95 % for an accuracy. */
  interval: z.object({ lower: z.number(), upper: z.number(), level: z.number() }).optional(),
});
export type MetricValue = z.infer<typeof MetricValue>;

export const Diagnostic = z.object({
  code: z.string(),
  message: z.string(),
  hint: z.string(),
});
export type Diagnostic = z.infer<typeof Diagnostic>;

export const Environment = z.object({
  backend: z.string(),
  tfjsVersion: z.string(),
  /** The training seed of the first (or only) run. */
  seed: z.number().int(),
  /** Every training seed the model was retrained with, first = `seed`; absent for one-seed verdicts stored before N seeds existed. */
  seeds: z.array(z.number().int()).optional(),
  /** Wall-clock time of the training runs, ms. */
  durationMs: z.number().min(0),
  /** Guided courses: the student's step-2/3/4 decisions the run was held to (metric, protocol, preparation). */
  decisions: ProjectDecisions.optional(),
  /** CPU time the training processes used, ms: what the training budget counts (graded by the grader service). */
  cpuMs: z.number().min(0).optional(),
  /** The exercise's training budget, CPU seconds. */
  budgetSeconds: z.number().min(0).optional(),
  run: z
    .object({
      fingerprint: z
        .string()
        .describe("Hash of everything the run's numbers depend on: model, settings, seed, split, data, backend, code version"),
      parts: z.record(z.string(), z.string()).describe("Hash of each of those, to say which one differs"),
      history: z.array(EpochMetrics).describe("The run's epochs, exactly as trained"),
      stopReason: z.string(),
    })
    .optional()
    .describe("The graded run (first training seed), recorded so a later step can reuse it instead of retraining it"),
  before: z.string().optional().describe("Step 7: whether the step-6 run was reused or retrained, and why, in the student's terms"),
});
export type Environment = z.infer<typeof Environment>;

export const Verdict = z.object({
  status: VerdictStatus,
  score: z.number().min(0).max(1),
  summary: z.string().describe("One sentence for the student"),
  checks: z.array(Check),
  metrics: z.record(z.string(), MetricValue),
  curves: z.object({
    history: z.array(EpochMetrics),
    /** Horizontal reference line drawn on the accuracy chart. */
    baseline: z.number().optional(),
    /** 1-based epoch where validation loss was lowest, when overfitting was detected. */
    overfitEpoch: z.number().int().optional(),
  }),
  diagnostics: z.array(Diagnostic),
  environment: Environment.optional(),
});
export type Verdict = z.infer<typeof Verdict>;
