import type { ExerciseDefinition, SubmissionPayload } from "@stepwise/core/contracts";
import { estimateTuningSeconds, MAX_TUNING_TRIALS, TuningSearch } from "@stepwise/exercises/tuning";
import { DEFAULT_GFLOPS, RUN_OVERHEAD_SECONDS } from "./experiments-cost";

/**
 * Estimated grader seconds of a tuning search (every trial that will train, plus the final training),
 * what the compute budget holds for it until the measured time replaces the estimate.
 *
 * `maxTrials` is the assignment's cap when a search is started (a search over it is refused there,
 * by `checkTuning`). A search already stored was accepted then; re-estimating it (a queued run's
 * hold on the budget) uses the schema's maximum, so an instructor lowering the cap afterwards does not
 * turn the estimate into an error. A stored search this version can no longer read costs the overhead.
 */
export function estimateTuneSeconds(
  exercise: ExerciseDefinition,
  payload: SubmissionPayload,
  search: unknown,
  options: { gflops?: number | undefined; maxTrials?: number } = {},
): number {
  const parsed = TuningSearch.safeParse(search);
  if (!parsed.success) return RUN_OVERHEAD_SECONDS;
  const estimate = () =>
    estimateTuningSeconds(exercise, payload, parsed.data, {
      gflops: Math.max(options.gflops || DEFAULT_GFLOPS, 1e-3),
      maxTrials: options.maxTrials ?? MAX_TUNING_TRIALS,
      overheadSeconds: RUN_OVERHEAD_SECONDS,
    });
  // A new search must be checked (its error is the student's answer); a stored one only costed.
  if (options.maxTrials !== undefined) return estimate();
  try {
    return estimate();
  } catch {
    return RUN_OVERHEAD_SECONDS;
  }
}
