import type { DatasetRef } from "../contracts/exercise";
import { trainingSeconds, type TrainingThroughput, type TrainingWork } from "./estimate";

/**
 * A grader's calibration is a few seconds of reference training at start; its real trainings say how
 * far that figure is from what it delivers (a busier machine, a model shape the two reference models
 * cost badly, a calibration taken in a noisy moment). The correction is the ratio of a training's wall
 * seconds, request to answer, to the seconds the estimates charge it (`trainingSeconds`: a warm
 * child's fixed cost, its epochs and its prediction of the test inputs): estimates multiply what they
 * charge by it. Whole trainings, not steady epochs, so the correction also learns what the fixed cost
 * misses: IMDB's epochs ran 1.5–1.8× their prediction while its trainings paid ~0.1 s of the 0.5 s
 * charged besides, and a factor on the epochs alone turned a −11 % estimate into +22 %.
 *
 * It is kept per dataset: the calibration's two reference models miss MNIST's dense inputs and IMDB's
 * wide multi-hot rows in opposite directions, so one factor learnt on one dataset pushes the other's
 * estimate further off. And it is a median over jobs, each job counting once (the median of its own
 * trainings): a search's trainings share the machine's moment and a model, so one unusually slow
 * search learnt training by training became the whole correction (×1.64, and the next search was
 * estimated at twice what it took).
 */

/** Jobs the running correction remembers, overall and per dataset: enough for a median to ignore an odd one, recent enough to follow the machine. */
export const CORRECTION_JOBS = 5;
/** Trainings of one job it keeps (the last ones): every training of a search at the largest trial count, and a bound on memory. */
export const CORRECTION_RUNS_PER_JOB = 64;
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
export interface TimedTraining extends TrainingWork {
  /** What it trained on (`datasetKey`): the correction it teaches is that dataset's. */
  dataset: string;
  /** The job it was part of: a job's trainings count once between them. */
  job: string;
  /** Wall seconds of the whole training, from the request to the child's answer. */
  wallSeconds: number;
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 1) : ((sorted[mid - 1] ?? 1) + (sorted[mid] ?? 1)) / 2;
};

/** Measured over charged seconds of one whole training (`trainingSeconds`), or null when it says nothing (no epoch, no valid time). */
export function trainingRatio(run: Omit<TimedTraining, "dataset" | "job">, speed: TrainingThroughput): number | null {
  if (!(run.epochs > 0) || !Number.isFinite(run.wallSeconds) || run.wallSeconds < 0) return null;
  const predicted = trainingSeconds(run, speed);
  return predicted > 0 && Number.isFinite(predicted) ? run.wallSeconds / predicted : null;
}

/**
 * The correction recent jobs imply, each given as its trainings' ratios: the median over jobs of each
 * job's median, within `CORRECTION_RANGE`; null before any.
 */
export function correctionOf(jobs: readonly (readonly number[])[]): number | null {
  const perJob = jobs.filter((ratios) => ratios.length > 0).map(median);
  if (perJob.length === 0) return null;
  return Math.min(CORRECTION_RANGE.max, Math.max(CORRECTION_RANGE.min, median(perJob)));
}

/** What a grader publishes of its correction: the figure over all its recent trainings, and each dataset's own. */
export interface PublishedCorrection {
  /** `correctionOf` the last `CORRECTION_JOBS` jobs whatever they trained on; null before any training. */
  all: number | null;
  /** Per `datasetKey`, `correctionOf` that dataset's last `CORRECTION_JOBS` jobs; only datasets with at least one. */
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

/** Job id → its trainings' ratios, least recently trained first. */
type JobRatios = Map<string, number[]>;

/** `map`'s entry for `key` (made by `init` when absent), moved to the end: insertion order is recency. */
function touch<V>(map: Map<string, V>, key: string, init: () => V): V {
  const value = map.get(key) ?? init();
  map.delete(key);
  map.set(key, value);
  return value;
}

/** Drops the least recent entries until `keep` are left. */
function keepRecent(map: Map<string, unknown>, keep: number): void {
  for (const oldest of map.keys()) {
    if (map.size <= keep) break;
    map.delete(oldest);
  }
}

/** Adds a training's ratio to its job, which becomes the most recent; keeps the last `jobs` jobs. */
function remember(memory: JobRatios, job: string, ratio: number, jobs: number): void {
  const ratios = touch(memory, job, (): number[] => []);
  ratios.push(ratio);
  if (ratios.length > CORRECTION_RUNS_PER_JOB) ratios.splice(0, ratios.length - CORRECTION_RUNS_PER_JOB);
  keepRecent(memory, jobs);
}

/**
 * The ratios of a grader's last `CORRECTION_JOBS` jobs, overall and per dataset (the
 * `CORRECTION_DATASETS` most recently trained on), and the corrections they give.
 */
export class SpeedCorrection {
  private readonly recent: JobRatios = new Map();
  // Insertion order is recency: a dataset trained again moves to the end, the first one is evicted.
  private readonly perDataset = new Map<string, JobRatios>();

  constructor(
    private readonly jobs = CORRECTION_JOBS,
    private readonly datasets = CORRECTION_DATASETS,
  ) {}

  /** Counts one completed training timed against `speed` (the calibration in force when it ran); returns its ratio, null when it says nothing. */
  observe(run: TimedTraining, speed: TrainingThroughput): number | null {
    const ratio = trainingRatio(run, speed);
    if (ratio === null) return null;
    remember(this.recent, run.job, ratio, this.jobs);
    const own = touch(this.perDataset, run.dataset, (): JobRatios => new Map());
    remember(own, run.job, ratio, this.jobs);
    keepRecent(this.perDataset, this.datasets);
    return ratio;
  }

  /** Trainings the overall correction is made of. */
  get count(): number {
    return [...this.recent.values()].reduce((sum, ratios) => sum + ratios.length, 0);
  }

  /** The correction for an estimate on `dataset` (`correctionFor`); without one, the figure over all datasets. Null before any training. */
  value(dataset?: string): number | null {
    const published = this.published;
    return dataset === undefined ? published.all : correctionFor(published, dataset);
  }

  /** What the grader publishes with its calibration. */
  get published(): PublishedCorrection {
    const byDataset: Record<string, number> = {};
    for (const [key, jobs] of this.perDataset) {
      const value = correctionOf([...jobs.values()]);
      if (value !== null) byDataset[key] = value;
    }
    return { all: correctionOf([...this.recent.values()]), byDataset };
  }
}
