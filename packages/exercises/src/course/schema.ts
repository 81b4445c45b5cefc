import { z } from "zod";
import { CheckVisibility, DatasetRef } from "@stepwise/core/contracts";
import { CourseMode } from "@stepwise/core/workflow";
import { EXPERIMENTS, type ExperimentName } from "../experiments/names";

/**
 * The course-folder authoring format: `course.yaml` plus one `assignments/NN-name.yaml` per
 * assignment. Every object is strict: a misspelt key is an error, never a silently ignored setting.
 */

export const LatePenalty = z
  .object({
    perDay: z.number().min(0).max(1).describe("Fraction of the score lost per day (or part of a day) late, 0–1"),
    maxDaysLate: z.number().int().min(0).max(365).describe("Days after the deadline a submission is still accepted"),
  })
  .strict()
  .describe("How late submissions are scored");
export type LatePenalty = z.infer<typeof LatePenalty>;

export const CourseSettings = z
  .object({
    defaultAttempts: z.number().int().min(1).max(1000).describe("Graded attempts per assignment unless the assignment says otherwise"),
    latePenalty: LatePenalty.optional().describe("Default late penalty; none when absent"),
    mode: CourseMode.optional().describe(
      "guided (the default for a new course): each step of a dataset's project opens once the step before it passes; independent: every step is open",
    ),
  })
  .strict();
export type CourseSettings = z.infer<typeof CourseSettings>;

export const CourseFile = z
  .object({
    title: z.string().min(1).max(200).describe("Course title shown to students"),
    instructors: z.array(z.email()).min(1).describe("E-mail addresses of the instructors"),
    settings: CourseSettings,
  })
  .strict()
  .describe("course.yaml: a Stepwise course");
export type CourseFile = z.infer<typeof CourseFile>;

/** Budget overrides; no defaults, so only what the instructor wrote is overridden. */
export const BudgetOverrides = z
  .object({
    maxParams: z.number().int().min(1).max(100_000_000).describe("Trainable parameters"),
    maxEpochs: z.number().int().min(1).max(1000).describe("Epochs"),
    maxBatchSize: z.number().int().min(1).max(65_536).describe("Examples per batch"),
    maxSeconds: z.number().min(1).max(86_400).describe("Estimated grader training time, seconds"),
  })
  .strict()
  .partial();
export type BudgetOverrides = z.infer<typeof BudgetOverrides>;

/** Compute each student may spend on debugging experiments per assignment when the file says nothing. */
export const DEFAULT_EXPERIMENT_COMPUTE_SECONDS = 600;

/** Which debugging experiments students may run on an assignment, and what they may spend on them. */
export const ExperimentSettings = z
  .object({
    allowed: z
      .array(z.enum(EXPERIMENTS))
      .optional()
      .describe("Experiments students may run (`stepwise debug --help` lists them); all when absent"),
    computeSeconds: z
      .number()
      .int()
      .min(0)
      .max(86_400)
      .optional()
      .describe(
        `Grader time each student may spend on experiments in this assignment, seconds (default ${DEFAULT_EXPERIMENT_COMPUTE_SECONDS}); 0 turns them off. Experiments never cost attempts`,
      ),
  })
  .strict()
  .describe("Debugging experiments: which ones students may run and their compute budget");
export type ExperimentSettings = z.infer<typeof ExperimentSettings>;

/** Step-7 regularization techniques an assignment can allow or forbid (all allowed when the file says nothing). */
export const TECHNIQUES = ["augmentation", "early-stopping", "tuning"] as const;
export type Technique = (typeof TECHNIQUES)[number];

export const DEFAULT_TUNING_TRIALS = 8;
/** Final evaluations on the hidden test set each student may make per assignment when the file says nothing. */
export const DEFAULT_TEST_EVALUATIONS = 3;

/** The regularization toolbox of step 7: which techniques students may use, the tuning trial budget, test-set hygiene. */
export const ToolboxSettings = z
  .object({
    allowed: z
      .array(z.enum(TECHNIQUES))
      .optional()
      .describe(
        `Techniques students may use: ${TECHNIQUES.join(", ")}; all when absent (dropout, L1/L2, BatchNormalization and network size are part of the model and always allowed)`,
      ),
    tuningTrials: z
      .number()
      .int()
      .min(1)
      .max(50)
      .optional()
      .describe(`Most trials one tuning search may run (default ${DEFAULT_TUNING_TRIALS}); each costs compute budget`),
    testEvaluations: z
      .number()
      .int()
      .min(1)
      .max(50)
      .optional()
      .describe(
        `Evaluations on the hidden test set each student may make in this assignment (default ${DEFAULT_TEST_EVALUATIONS}); every graded step-7 submission and every tuning search's final model is one`,
      ),
  })
  .strict()
  .describe("Step 7's regularization toolbox: allowed techniques, tuning trials, test evaluations");
export type ToolboxSettings = z.infer<typeof ToolboxSettings>;

export const AssignmentFile = z
  .object({
    exercise: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]*$/)
      .describe("Built-in exercise id (`stepwise list` shows them)"),
    title: z.string().min(1).max(200).optional().describe("Title override"),
    dataset: DatasetRef.optional().describe("Dataset override; a CSV `file` is relative to the course folder"),
    metric: z.enum(["accuracy", "mae"]).optional(),
    baseline: z.number().min(0).max(1).optional().describe("Nominal dumb baseline, 0–1"),
    target: z.number().optional().describe("Test metric a passing model must reach"),
    budgets: BudgetOverrides.optional(),
    seed: z.number().int().min(1).optional().describe("Grading seed"),
    seeds: z.number().int().min(1).max(10).optional().describe("Number of seeds each model is retrained with"),
    attempts: z.number().int().min(1).max(1000).optional().describe("Graded attempts; the course default when absent"),
    deadline: z.iso.datetime({ offset: true }).optional().describe("ISO 8601 date-time with offset, e.g. 2026-03-01T23:59:00Z"),
    latePenalty: LatePenalty.optional().describe("Overrides the course's late penalty"),
    visibility: z
      .record(z.string().regex(/^[a-z0-9][a-z0-9-]*$/), CheckVisibility)
      .optional()
      .describe("Per check id: always, after_deadline or never"),
    hints: z.array(z.string().min(1)).optional().describe("Replace the exercise's hints"),
    experiments: ExperimentSettings.optional().describe(
      "Debugging experiments students may run and their compute budget; all, 600 s each, when absent",
    ),
    toolbox: ToolboxSettings.optional().describe(
      "Step 7: allowed regularization techniques, tuning trials and test evaluations; all allowed, 8 trials, 3 evaluations when absent",
    ),
  })
  .strict()
  .describe("assignments/NN-name.yaml: one exercise placed in the course, with overrides");
export type AssignmentFile = z.infer<typeof AssignmentFile>;

/** The experiment policy in force: the assignment's `experiments` key (a stored override) with the defaults filled in. */
export interface ExperimentPolicy {
  allowed: ExperimentName[];
  computeSeconds: number;
}

/** Reads an assignment's stored overrides; a value that does not parse falls back to the defaults, as other overrides do. */
export function experimentPolicy(overrides: Record<string, unknown>): ExperimentPolicy {
  const parsed = ExperimentSettings.safeParse(overrides.experiments ?? {});
  const settings = parsed.success ? parsed.data : {};
  const allowed = settings.allowed ? EXPERIMENTS.filter((name) => settings.allowed?.includes(name)) : [...EXPERIMENTS];
  return { allowed, computeSeconds: settings.computeSeconds ?? DEFAULT_EXPERIMENT_COMPUTE_SECONDS };
}

/** The toolbox policy in force: the assignment's `toolbox` key with the defaults filled in. */
export interface ToolboxPolicy {
  allowed: Technique[];
  tuningTrials: number;
  testEvaluations: number;
}

/** Reads an assignment's stored overrides; a value that does not parse falls back to the defaults, as other overrides do. */
export function toolboxPolicy(overrides: Record<string, unknown>): ToolboxPolicy {
  const parsed = ToolboxSettings.safeParse(overrides.toolbox ?? {});
  const settings = parsed.success ? parsed.data : {};
  const allowed = settings.allowed ? TECHNIQUES.filter((name) => settings.allowed?.includes(name)) : [...TECHNIQUES];
  return {
    allowed,
    tuningTrials: settings.tuningTrials ?? DEFAULT_TUNING_TRIALS,
    testEvaluations: settings.testEvaluations ?? DEFAULT_TEST_EVALUATIONS,
  };
}

/** Assignment files are `NN-name.yaml`: NN orders them. */
export const ASSIGNMENT_FILE = /^(\d{2})-([a-z0-9][a-z0-9-]*)\.yaml$/;

export interface CourseAssignment {
  /** Path inside the folder, e.g. `assignments/01-define-problem.yaml`. */
  file: string;
  /** 1-based position from the NN prefix. */
  position: number;
  assignment: AssignmentFile;
}

/** A loaded course folder, independent of where it was read from. */
export interface CourseFolder {
  course: CourseFile;
  /** In file-name order. */
  assignments: CourseAssignment[];
  /** CSV files the assignments reference, by path inside the folder. */
  dataFiles: Record<string, string>;
}

export interface CourseError {
  /** Path inside the folder, e.g. `assignments/02-metric.yaml`. */
  file: string;
  /** 1-based line, when known. */
  line?: number;
  /** Path inside the file, e.g. `budgets.maxParams` ("" for the whole file). */
  path: string;
  expected: string;
  got: string;
}

/** `assignments/02-x.yaml:7 budgets.maxParams — expected an integer ≥ 1, got -5` */
export function formatCourseError(error: CourseError): string {
  const where = `${error.file}${error.line !== undefined ? `:${error.line}` : ""}`;
  return `${where}${error.path ? ` ${error.path}` : ""} — expected ${error.expected}, got ${error.got}`;
}
