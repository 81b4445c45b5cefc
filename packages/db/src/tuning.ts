/**
 * Tuning runs: a student's declared hyperparameter search on their step-7 model runs as an
 * experiment job named `tune` with the search stored beside it (`jobs.tuning_search`). It shares the
 * debugging experiments' compute budget, rate limit and result table: a search costs compute, never
 * an attempt. Its final phase may cost one of the student's test evaluations (`test-evaluations.ts`),
 * which the grader reserves when it gets there.
 *
 * As with experiment results, the search and the result are JSON the caller parses with the
 * exercises package's schemas (`TuningSearch`, `TuningResult`): this package depends on core only.
 */
import { ValidationError } from "@stepwise/core/contracts";
import type { Db } from "./connection";
import {
  enqueueExperiment,
  experimentRunById,
  experimentRunsFor,
  type EstimateSeconds,
  type ExperimentBudget,
  type ExperimentRun,
} from "./experiments";
import { type JobRow, TUNE_EXPERIMENT } from "./rows";

export { TUNE_EXPERIMENT } from "./rows";

/** One tuning run; `search` is the stored search (never null for a run this module returns), `outcome` its stored result. */
export type TuningRun = ExperimentRun;

/**
 * Enqueues a tuning search on one of the caller's own submissions, atomically with the checks every
 * experiment gets: the submission is theirs, the per-minute rate limit, and the estimate (all trials
 * plus the final training, computed by `estimateSeconds` from the search) fits the compute budget
 * left. The caller has parsed `search` and checked the assignment allows tuning.
 */
export async function enqueueTuning(
  db: Db,
  input: {
    submissionId: string;
    userId: string;
    search: unknown;
    budgetSeconds: number;
    perMinute: number;
    estimateSeconds: EstimateSeconds;
    now: number;
  },
): Promise<{ job: JobRow; estimateSeconds: number; budget: ExperimentBudget }> {
  if (typeof input.search !== "object" || input.search === null || Array.isArray(input.search)) {
    throw new ValidationError(
      `A tuning run needs its search as an object, got ${input.search === null ? "null" : Array.isArray(input.search) ? "an array" : typeof input.search}.`,
      "search",
    );
  }
  return enqueueExperiment(db, { ...input, experiment: TUNE_EXPERIMENT, search: input.search });
}

/**
 * A student's tuning runs on one assignment, newest first, with the compute budget left — the budget
 * shared with the debugging experiments, so it counts every kind of run.
 */
export async function tuningRunsFor(
  db: Db,
  input: { assignmentId: string; userId: string; budgetSeconds: number; estimateSeconds: EstimateSeconds },
): Promise<{ runs: TuningRun[]; budget: ExperimentBudget }> {
  const { runs, budget } = await experimentRunsFor(db, input);
  return { runs: runs.filter(isTuning), budget };
}

/** One tuning run (the caller checks who may read it); null when there is none or the job is no tuning run. */
export async function tuningRunById(db: Db, jobId: string, estimate?: EstimateSeconds): Promise<TuningRun | null> {
  const run = await experimentRunById(db, jobId, estimate);
  return run && isTuning(run) ? run : null;
}

const isTuning = (run: ExperimentRun) => run.experiment === TUNE_EXPERIMENT && run.search !== null;
