import type { DatasetRef } from "../contracts/exercise";
import { epochSeconds, type EpochWork, type TrainingThroughput } from "./estimate";

/**
 * A grader's calibration is a few seconds of reference training at start; its real trainings say how
 * far that figure is from what it delivers (a busier machine, a model shape the two reference models
 * cost badly, a calibration taken in a noisy moment). The correction is the ratio of the seconds its
 * recent trainings' epochs took to the seconds its calibration predicted for them (`epochSeconds`,
 * the model the tuning estimate costs epochs with): estimates multiply their epoch seconds by it.
 *
 * It is kept per dataset: the calibration's two reference models miss MNIST's dense inputs and IMDB's
 * wide multi-hot rows in opposite directions (measured +12 % and −23 %), so one factor learnt on one
 * dataset pushes the other's estimate further off.
 */

/** Completed trainings the running correction remembers: enough for a median to ignore a few odd runs, recent enough to follow the machine. */
export const CORRECTION_RUNS = 15;
/**
 * The correction is kept within this range: a ratio outside it says something other than speed went
 * wrong (a run stalled by memory pressure, a clock jump), and one bad run must not make every
 * estimate 10× off.
 */
export const CORRECTION_RANGE = { min: 0.5, max: 3 } as const;
/** Datasets one correction keeps ratios for, the most recently trained on: a grader serving many courses' CSV tables stays small. */
export const CORRECTION_DATASETS = 16;
/** Longest dataset key (`datasetKey`): a longer one is shortened with a hash of the whole, so a publication never carries an unbounded name. */
export const DATASET_KEY_MAX_LENGTH = 120;

/** FNV-1a over UTF-16 code units, 8 hex digits: a stable short digest without node:crypto (core also runs in browsers). */
const digest = (text: string): string => {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash.toString(16).padStart(8, "0");
};

/**
 * The key a correction is kept under for an exercise's dataset: `mnist`, `imdb`, or a course's CSV
 * table (`csv:<course>:<file>`, since two courses' `data/loans.csv` can be different tables). The
 * grader keys a training by the job's assignment and the web app an estimate by the same assignment,
 * so both arrive at the same key.
 */
export function datasetKey(dataset: Pick<DatasetRef, "kind"> & { file?: string }, courseId: string): string {
  const key = dataset.kind === "csv" ? `csv:${courseId}:${dataset.file ?? ""}` : dataset.kind;
  return key.length <= DATASET_KEY_MAX_LENGTH ? key : `${key.slice(0, DATASET_KEY_MAX_LENGTH - 9)}#${digest(key)}`;
}

/** One completed training as the grader saw it. */
export interface TimedTraining {
  /** What it trained on (`datasetKey`): the correction it teaches is that dataset's. */
  dataset: string;
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
export function trainingRatio(
  run: Pick<TimedTraining, "trainingFlopsPerExample" | "work" | "epochSeconds">,
  speed: TrainingThroughput,
): number | null {
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

/** What a grader publishes of its correction: the figure over all its recent trainings, and each dataset's own. */
export interface PublishedCorrection {
  /** `correctionOf` the last `CORRECTION_RUNS` ratios whatever they trained on; null before any training. */
  all: number | null;
  /** Per `datasetKey`, `correctionOf` that dataset's last `CORRECTION_RUNS` ratios; only datasets with at least one. */
  byDataset: Record<string, number>;
}

/**
 * The correction an estimate on `dataset` uses: that dataset's own when its trainings taught one, else
 * the figure over all datasets (a dataset this grader has not trained yet is closer to the grader's
 * average than to no correction at all), else null.
 */
export function correctionFor(
  published: { all?: number | null | undefined; byDataset?: Record<string, number> | undefined },
  dataset: string,
): number | null {
  const own = published.byDataset && Object.hasOwn(published.byDataset, dataset) ? published.byDataset[dataset] : undefined;
  return own ?? published.all ?? null;
}

/**
 * The last `CORRECTION_RUNS` ratios of a grader's trainings, overall and per dataset (the
 * `CORRECTION_DATASETS` most recently trained on), and the corrections they give.
 */
export class SpeedCorrection {
  private readonly recent: number[] = [];
  // Insertion order is recency: a dataset trained again moves to the end, the first one is evicted.
  private readonly perDataset = new Map<string, number[]>();

  constructor(
    private readonly runs = CORRECTION_RUNS,
    private readonly datasets = CORRECTION_DATASETS,
  ) {}

  /** Counts one completed training timed against `speed` (the calibration in force when it ran); returns its ratio, null when it says nothing. */
  observe(run: TimedTraining, speed: TrainingThroughput): number | null {
    const ratio = trainingRatio(run, speed);
    if (ratio === null) return null;
    const keep = (ratios: number[]) => {
      ratios.push(ratio);
      if (ratios.length > this.runs) ratios.splice(0, ratios.length - this.runs);
      return ratios;
    };
    keep(this.recent);
    const own = this.perDataset.get(run.dataset) ?? [];
    this.perDataset.delete(run.dataset);
    this.perDataset.set(run.dataset, keep(own));
    for (const oldest of this.perDataset.keys()) {
      if (this.perDataset.size <= this.datasets) break;
      this.perDataset.delete(oldest);
    }
    return ratio;
  }

  /** Trainings the overall correction is made of. */
  get count(): number {
    return this.recent.length;
  }

  /** The correction for an estimate on `dataset` (`correctionFor`); without one, the figure over all datasets. Null before any training. */
  value(dataset?: string): number | null {
    const published = this.published;
    return dataset === undefined ? published.all : correctionFor(published, dataset);
  }

  /** What the grader publishes with its calibration. */
  get published(): PublishedCorrection {
    const byDataset: Record<string, number> = {};
    for (const [key, ratios] of this.perDataset) {
      const value = correctionOf(ratios);
      if (value !== null) byDataset[key] = value;
    }
    return { all: correctionOf(this.recent), byDataset };
  }
}
