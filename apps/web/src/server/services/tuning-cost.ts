import type { ExerciseDefinition, SubmissionPayload } from "@stepwise/core/contracts";
import type { TrainingThroughput } from "@stepwise/core/model";
import {
  estimateTuning,
  MAX_TUNING_TRIALS,
  proposeSearch,
  TuningSearch,
  WARM_TRAINING_OVERHEAD_SECONDS,
  type Rung,
} from "@stepwise/exercises/tuning";
import { DEFAULT_GFLOPS, RUN_OVERHEAD_SECONDS } from "./experiments-cost";

/**
 * The graders' published speed as the estimate reads it: the matmul-derived figure, the measured
 * training speed when published, and the correction the same grader's trainings on this dataset taught it.
 */
export interface SpeedFigures {
  gflops: number | undefined;
  training?: TrainingThroughput | undefined;
  /**
   * Measured over charged seconds of the grader's recent trainings on the exercise's dataset, else on
   * all datasets (a ratio, `speedFigures` picks it); scales the whole search `training` costs.
   */
  correction?: number | undefined;
}

/**
 * With the measured training speed, each training costs its steps and products plus a warm child's
 * fixed cost, all scaled by the grader's correction when it has one; without it (graders from
 * before, or the configured figure), the matmul-derived figure and a fresh run's overhead, as before.
 */
const optionsOf = (speed: SpeedFigures, maxTrials: number) => ({
  gflops: Math.max(speed.gflops || DEFAULT_GFLOPS, 1e-3),
  maxTrials,
  ...(speed.training
    ? { training: speed.training, correction: speed.correction, overheadSeconds: WARM_TRAINING_OVERHEAD_SECONDS }
    : { overheadSeconds: RUN_OVERHEAD_SECONDS }),
});

/**
 * Estimated grader seconds of a tuning search (every training its schedule runs, plus the final
 * training), what the compute budget holds for it until the measured time replaces the estimate.
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
  options: Partial<SpeedFigures> & { maxTrials?: number } = {},
): number {
  const parsed = TuningSearch.safeParse(search);
  if (!parsed.success) return RUN_OVERHEAD_SECONDS;
  const estimate = () =>
    estimateTuning(
      exercise,
      payload,
      parsed.data,
      optionsOf(
        { gflops: options.gflops, training: options.training, correction: options.correction },
        options.maxTrials ?? MAX_TUNING_TRIALS,
      ),
    ).seconds;
  // A new search must be checked (its error is the student's answer); a stored one only costed.
  if (options.maxTrials !== undefined) return estimate();
  try {
    return estimate();
  } catch {
    return RUN_OVERHEAD_SECONDS;
  }
}

/** What the Tune form shows before a search starts: its cost against the budget left, and a search that fits when it does not. */
export interface SearchCost {
  /** Estimated grader seconds, from the graders' published calibration. */
  seconds: number;
  /** Trainings it runs: one per trial per rung, and the final model. */
  trainings: number;
  schedule: Rung[];
  leftSeconds: number;
  fits: boolean;
  /** The largest search around the declared one that fits the budget left; null when it fits or nothing does. */
  proposal: { search: TuningSearch; seconds: number; schedule: Rung[] } | null;
}

/** A declared search's estimate and, when it does not fit `leftSeconds`, the proposal. Throws `ValidationError` for a search the grader would refuse. */
export function costOfSearch(
  exercise: ExerciseDefinition,
  payload: SubmissionPayload,
  search: TuningSearch,
  input: SpeedFigures & { maxTrials: number; leftSeconds: number },
): SearchCost {
  const options = optionsOf(input, input.maxTrials);
  const estimate = estimateTuning(exercise, payload, search, options);
  const fits = estimate.seconds <= input.leftSeconds;
  const proposed = fits ? null : proposeSearch(exercise, payload, search, { ...options, leftSeconds: input.leftSeconds });
  return {
    seconds: round(estimate.seconds),
    trainings: estimate.trainings,
    schedule: estimate.schedule,
    leftSeconds: input.leftSeconds,
    fits,
    proposal: proposed
      ? { search: proposed.search, seconds: round(proposed.estimate.seconds), schedule: proposed.estimate.schedule }
      : null,
  };
}

const round = (seconds: number) => Math.round(seconds * 10) / 10;

/**
 * The form's starting search, fitted to the budget left: the default when it fits, else the largest
 * search around it that does (the form then starts from something Start accepts). A default the
 * grader would refuse, or that nothing fits, is left as it is: the form says why.
 */
export function fittedDefaults<T extends { search: TuningSearch }>(
  exercise: ExerciseDefinition,
  payload: SubmissionPayload,
  defaults: T,
  input: SpeedFigures & { maxTrials: number; leftSeconds: number },
): T {
  try {
    const cost = costOfSearch(exercise, payload, defaults.search, input);
    return cost.proposal ? { ...defaults, search: cost.proposal.search } : defaults;
  } catch {
    return defaults;
  }
}
