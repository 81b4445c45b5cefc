import { correctionFor, datasetKey, type TrainingThroughput } from "@stepwise/core/model";
import { latestCalibration, type Assignment, type Db, type GraderSpeed } from "@stepwise/db";
import { assignmentExercise } from "./exercise-view";

/**
 * The training throughput the web app's estimates use (issue 3): what the graders measured and
 * published at start (`grader_calibrations`), else the configured `GRADER_EFFECTIVE_GFLOPS`.
 */
export interface TrainingSpeed {
  /** Effective training throughput of one grader slot, 10⁹ multiply-adds per second. */
  gflops: number;
  source: "measured" | "configured";
  /** Which figure, in the student's words, e.g. "9.8 GFLOPS effective, measured on the grader (wasm)". */
  basis: string;
  /** The same grader's measured step cost and throughput on products, when it measures them: what tuning estimates use. */
  training?: TrainingThroughput;
  /** The same grader's measured over predicted epoch seconds of its recent trainings (a ratio), when it has trained since it calibrated. */
  correction?: number;
  /** The same ratio per dataset it trained on recently (`datasetKey` → ratio), when it publishes them. */
  corrections?: Record<string, number>;
}

/** How long one read of the published figure serves requests, ms: a grader re-measures every few hours. */
export const SPEED_CACHE_MS = 60_000;

const cache = new WeakMap<Db, { readAt: number; value: GraderSpeed | null }>();

async function published(db: Db, now: number): Promise<GraderSpeed | null> {
  const hit = cache.get(db);
  // A clock that went backwards (a test's, or a corrected one) reads again rather than trusting the cache.
  if (hit && now >= hit.readAt && now - hit.readAt < SPEED_CACHE_MS) return hit.value;
  const value = await latestCalibration(db, { now });
  cache.set(db, { readAt: now, value });
  return value;
}

/** "9.8", "12", "0.05": one decimal, more below 1 so a slow figure never reads as 0. */
const fmt = (x: number): string => x.toLocaleString("en-US", { maximumFractionDigits: x < 1 ? 3 : 1 });

/**
 * The slowest recent grader's measured figure, else `configured` (when above 0), else null (no
 * figure: no time estimate). Reads the database at most once per `SPEED_CACHE_MS` per connection.
 */
export async function trainingSpeed(db: Db, input: { configured: number | undefined; now: number }): Promise<TrainingSpeed | null> {
  const measured = await published(db, input.now);
  if (measured) {
    const where = measured.graders > 1 ? `the slowest of ${measured.graders} graders` : "the grader";
    return {
      gflops: measured.gflops,
      source: "measured",
      basis: `${fmt(measured.gflops)} GFLOPS effective, measured on ${where} (${measured.backend})`,
      ...(measured.training ? { training: measured.training } : {}),
      ...(measured.correction !== undefined ? { correction: measured.correction } : {}),
      ...(measured.corrections ? { corrections: measured.corrections } : {}),
    };
  }
  if (input.configured === undefined || input.configured <= 0) return null;
  return {
    gflops: input.configured,
    source: "configured",
    basis: `${fmt(input.configured)} GFLOPS effective, the configured figure (no grader has published a measurement in the last day)`,
  };
}

/**
 * The figures the budget's estimates use (`SpeedFigures`) for runs on `assignment`: every router that
 * charges or refuses compute reads them here, so a tuning search is held at the same estimate whichever
 * router reads the budget. The correction is the one learnt on the dataset the assignment's exercise
 * trains on, else the grader's figure over all datasets (`correctionFor`).
 */
export async function speedFigures(
  ctx: {
    db: Db;
    config: { graderGflops?: number };
    now: () => number;
  },
  assignment: Pick<Assignment, "courseId" | "exerciseId" | "overrides">,
): Promise<{ gflops: number | undefined; training?: TrainingThroughput | undefined; correction?: number | undefined }> {
  const speed = await trainingSpeed(ctx.db, { configured: ctx.config.graderGflops, now: ctx.now() });
  const dataset = datasetKey(assignmentExercise(assignment).dataset, assignment.courseId);
  const correction = speed ? correctionFor({ all: speed.correction, byDataset: speed.corrections }, dataset) : null;
  return { gflops: speed?.gflops, training: speed?.training, correction: correction ?? undefined };
}
