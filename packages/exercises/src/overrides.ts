import type { z } from "zod";
import { type DatasetRef, ExerciseDefinition } from "@stepwise/core/contracts";
import { sameData } from "@stepwise/core/workflow";
import { AssignmentFile, type LatePenalty } from "./course/schema";
import { withVocabulary } from "./vocabulary";

/**
 * The keys of an assignment's overrides (stored in the database as the course folder's assignment
 * file minus `exercise`, `title`, `attempts` and `deadline`) that change the exercise itself, each
 * parsed on its own with the assignment file's schema: one bad stored value costs only itself.
 * `seeds` and `latePenalty` are course policy: see `assignmentPolicy`.
 */
function parseKeys(overrides: Record<string, unknown>) {
  const pick = <T>(schema: z.ZodType<T>, value: unknown): T | undefined => {
    const result = schema.safeParse(value);
    return result.success ? result.data : undefined;
  };
  const shape = AssignmentFile.shape;
  return {
    dataset: pick(shape.dataset, overrides.dataset),
    metric: pick(shape.metric, overrides.metric),
    baseline: pick(shape.baseline, overrides.baseline),
    target: pick(shape.target, overrides.target),
    budgets: pick(shape.budgets, overrides.budgets),
    seed: pick(shape.seed, overrides.seed),
    visibility: pick(shape.visibility, overrides.visibility),
    hints: pick(shape.hints, overrides.hints),
  };
}

const taskOfRef = (dataset: DatasetRef) => (dataset.kind === "csv" ? dataset.task : dataset.kind === "mnist" ? "multiclass" : "binary");

/**
 * The exercise as an assignment places it: the instructor's `overrides` on top of the built-in
 * definition. Every exercise-level key applies — dataset, metric, baseline, target, budgets, seed,
 * visibility (→ `checkVisibility`, merged per check) and hints (replaced). An override that does not
 * parse is ignored rather than breaking the page or the grader. Only the budget keys the instructor
 * wrote apply: the exercise's own values stay for the rest.
 *
 * A dataset override on other data (`sameData`: another file or target, not another encoding) drops
 * the built-in `baseline` and `target` unless they are overridden too: they
 * were calibrated for the built-in data (MNIST's 0.975 means nothing on a price table). The metric
 * follows the new dataset's task (MAE for regression, accuracy otherwise) unless it is overridden.
 */
export function withOverrides(exercise: ExerciseDefinition, overrides: Record<string, unknown>): ExerciseDefinition {
  const o = parseKeys(overrides);
  let next: ExerciseDefinition = { ...exercise };
  // Another IMDB vocabulary: the starter model's input follows it, as a project's step-4 choice does.
  if (o.dataset?.kind === "imdb" && exercise.dataset.kind === "imdb") next = withVocabulary(next, o.dataset);
  else if (o.dataset) next.dataset = o.dataset;
  // Other data (not another encoding of the same data): the built-in thresholds no longer apply.
  if (o.dataset && !sameData(o.dataset, exercise.dataset)) {
    delete next.baseline;
    delete next.target;
    next.metric = taskOfRef(o.dataset) === "regression" ? "mae" : "accuracy";
  }
  if (o.metric !== undefined) next.metric = o.metric;
  if (o.baseline !== undefined) next.baseline = o.baseline;
  if (o.target !== undefined) next.target = o.target;
  if (o.seed !== undefined) next.seed = o.seed;
  if (o.hints !== undefined) next.hints = o.hints;
  if (o.budgets !== undefined) {
    const given = Object.fromEntries(Object.entries(o.budgets).filter(([, value]) => value !== undefined));
    next.budgets = { ...exercise.budgets, ...given };
  }
  if (o.visibility !== undefined) next.checkVisibility = { ...exercise.checkVisibility, ...o.visibility };
  // The pieces each parsed; the whole must still be an exercise (it always is today, but a future key
  // with a cross-field rule must not slip through): fall back to the built-in definition if not.
  const whole = ExerciseDefinition.safeParse(next);
  return whole.success ? whole.data : exercise;
}

/** How an assignment is run and scored, beyond the exercise: number of seeds and late penalty. */
export interface AssignmentPolicy {
  /** Seeds each model is retrained with; absent means one. */
  seeds?: number;
  /** Overrides the course's late penalty; absent means the course's. */
  latePenalty?: LatePenalty;
}

/** The policy keys of an assignment's overrides, each parsed with the assignment file's schema (bad values ignored). */
export function assignmentPolicy(overrides: Record<string, unknown>): AssignmentPolicy {
  const seeds = AssignmentFile.shape.seeds.safeParse(overrides.seeds);
  const latePenalty = AssignmentFile.shape.latePenalty.safeParse(overrides.latePenalty);
  return {
    ...(seeds.success && seeds.data !== undefined ? { seeds: seeds.data } : {}),
    ...(latePenalty.success && latePenalty.data !== undefined ? { latePenalty: latePenalty.data } : {}),
  };
}
