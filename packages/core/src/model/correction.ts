import { epochSeconds, type EpochWork, type TrainingThroughput } from "./estimate";

/**
 * A grader's calibration is a few seconds of reference training at start; its real trainings say how
 * far that figure is from what it delivers (a busier machine, a model shape the two reference models
 * cost badly, a calibration taken in a noisy moment). The correction is the ratio of the seconds its
 * recent trainings' epochs took to the seconds its calibration predicted for them (`epochSeconds`,
 * the model the tuning estimate costs epochs with): estimates multiply their epoch seconds by it.
 */

/** Completed trainings the running correction remembers: enough for a median to ignore a few odd runs, recent enough to follow the machine. */
export const CORRECTION_RUNS = 15;
/**
 * The correction is kept within this range: a ratio outside it says something other than speed went
 * wrong (a run stalled by memory pressure, a clock jump), and one bad run must not make every
 * estimate 10× off.
 */
export const CORRECTION_RANGE = { min: 0.5, max: 3 } as const;

/** One completed training as the grader saw it. */
export interface TimedTraining {
  /** The model's multiply-adds per trained example (`ModelSummary.trainingFlopsPerExample`). */
  trainingFlopsPerExample: number;
  /** The work of each of its epochs. */
  work: EpochWork;
  /** Wall seconds of each epoch, in order (`TrainingReport.history[].seconds`). */
  epochSeconds: readonly number[];
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 1) : ((sorted[mid - 1] ?? 1) + (sorted[mid] ?? 1)) / 2;
};

/**
 * Measured over predicted seconds of one training's steady epochs, or null when it says nothing
 * (no epoch, or a prediction of 0). The first epoch of a run pays compilation and a warm child's
 * start, which the estimate charges apart (`WARM_TRAINING_OVERHEAD_SECONDS`), so it counts only when
 * it is the only one.
 */
export function trainingRatio(run: TimedTraining, speed: TrainingThroughput): number | null {
  const steady = run.epochSeconds.length > 1 ? run.epochSeconds.slice(1) : run.epochSeconds;
  const predicted = epochSeconds(run.trainingFlopsPerExample, run.work, speed);
  if (steady.length === 0 || !(predicted > 0)) return null;
  const measured = steady.reduce((a, b) => a + b, 0) / steady.length;
  return Number.isFinite(measured) && measured >= 0 ? measured / predicted : null;
}

/** The correction the ratios of recent trainings imply: their median, within `CORRECTION_RANGE`; null before any. */
export function correctionOf(ratios: readonly number[]): number | null {
  if (ratios.length === 0) return null;
  return Math.min(CORRECTION_RANGE.max, Math.max(CORRECTION_RANGE.min, median(ratios)));
}

/** The last `CORRECTION_RUNS` ratios of a grader's trainings and the correction they give. */
export class SpeedCorrection {
  private readonly ratios: number[] = [];

  constructor(private readonly runs = CORRECTION_RUNS) {}

  /** Counts one completed training timed against `speed` (the calibration in force when it ran); returns its ratio, null when it says nothing. */
  observe(run: TimedTraining, speed: TrainingThroughput): number | null {
    const ratio = trainingRatio(run, speed);
    if (ratio === null) return null;
    this.ratios.push(ratio);
    if (this.ratios.length > this.runs) this.ratios.splice(0, this.ratios.length - this.runs);
    return ratio;
  }

  /** Trainings the correction is made of. */
  get count(): number {
    return this.ratios.length;
  }

  /** The current correction (`correctionOf`), null before any training. */
  get value(): number | null {
    return correctionOf(this.ratios);
  }
}
