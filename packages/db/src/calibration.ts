import { ValidationError } from "@stepwise/core/contracts";
import { CORRECTION_DATASETS, DATASET_KEY_MAX_LENGTH } from "@stepwise/core/model";
import type { Selectable } from "kysely";
import { z } from "zod";
import type { Db } from "./connection";
import type { GraderCalibrationsTable } from "./schema";

/**
 * Graders publish their measured training speed; the web app checks a model's estimated training
 * time at submit against it (issue 3). Each grader process keeps one row, replaced at every
 * measurement and withdrawn when it stops cleanly; a grader that dies leaves its row, which ages
 * out after `CALIBRATION_MAX_AGE_MS`.
 */

/** Measurements older than this are ignored: that grader is gone, or the machine has changed since. */
export const CALIBRATION_MAX_AGE_MS = 24 * 3_600_000;

const Correction = z
  .number()
  .finite()
  .positive()
  .max(100)
  .describe("Measured over predicted seconds (a ratio, no unit) of the epochs of the grader's recent trainings, predicted from `training`");

/** Per dataset key, that dataset's correction; bounded like the grader's own memory of datasets, with room for a grader that keeps more. */
const DatasetCorrections = z
  .record(z.string().min(1).max(DATASET_KEY_MAX_LENGTH), Correction)
  .refine((byDataset) => Object.keys(byDataset).length <= 4 * CORRECTION_DATASETS, {
    message: `at most ${4 * CORRECTION_DATASETS} datasets`,
  });

export const GraderCalibration = z
  .object({
    workerId: z.string().min(1).max(200).describe("The grader process that measured, as in job rows (`host:pid` by default)"),
    host: z.string().min(1).max(200).describe("Machine the grader runs on"),
    backend: z.string().min(1).max(40).describe("TF.js backend its training children run on, as verdicts record it (e.g. `wasm`)"),
    gflops: z
      .number()
      .finite()
      .positive()
      .max(1e6)
      .describe("Effective training throughput of one grader slot, 10⁹ multiply-adds per second"),
    training: z
      .object({
        gflops: z.number().finite().positive().max(1e6).describe("Throughput of a training step's products, 10⁹ multiply-adds per second"),
        stepSeconds: z.number().finite().nonnegative().max(60).describe("Fixed seconds of every training step whatever the model"),
      })
      .strict()
      .optional()
      .describe("One slot's training speed measured on the two reference models; absent from graders that do not measure it"),
    correction: Correction.optional().describe(
      "Measured over charged seconds (a ratio, no unit) of the grader's recent trainings whatever they trained on, each charged " +
        "from `training` with a warm child's fixed cost, a median over jobs: estimates on a dataset without its own (`corrections`) multiply their seconds by it. " +
        "Absent until the grader has completed a training",
    ),
    corrections: DatasetCorrections.optional().describe(
      "The same ratio per dataset the grader trained on recently, by dataset key (`datasetKey`: `mnist`, `imdb`, `csv:<course>:<file>`): " +
        "an estimate on one of them uses its own. Absent from graders from before and until a training completes",
    ),
    measuredAt: z.number().int().nonnegative().describe("When it was measured, ms since the epoch"),
  })
  .strict();
export type GraderCalibration = z.infer<typeof GraderCalibration>;

/** The figure the web app's estimate uses, and how many graders' recent measurements it was chosen from. */
export interface GraderSpeed extends GraderCalibration {
  graders: number;
}

/**
 * A row's per-dataset corrections, or nothing when absent or malformed: a bad value (written by hand,
 * or by a version that stored another shape) costs the estimate its per-dataset figure, not the page.
 */
function datasetCorrections(text: string | null): { corrections: Record<string, number> } | Record<string, never> {
  if (text === null) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return {};
  }
  const parsed = DatasetCorrections.safeParse(value);
  return parsed.success ? { corrections: parsed.data } : {};
}

function toCalibration(row: Selectable<GraderCalibrationsTable>): GraderCalibration {
  const training =
    row.training_gflops !== null && row.step_seconds !== null
      ? { training: { gflops: Number(row.training_gflops), stepSeconds: Number(row.step_seconds) } }
      : {};
  return {
    workerId: row.worker_id,
    host: row.host,
    backend: row.backend,
    gflops: Number(row.gflops),
    ...training,
    ...(row.speed_correction !== null ? { correction: Number(row.speed_correction) } : {}),
    ...datasetCorrections(row.speed_corrections),
    measuredAt: row.measured_at,
  };
}

/** Stores (or replaces) a grader's measurement. Refuses a malformed one, naming the field. */
export async function publishCalibration(db: Db, input: GraderCalibration): Promise<void> {
  const parsed = GraderCalibration.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.join(".") ?? "";
    throw new ValidationError(
      `A grader calibration needs ${path || "valid fields"}: ${issue?.message ?? "invalid"}, got ${JSON.stringify(input).slice(0, 200)}`,
      path,
    );
  }
  const c = parsed.data;
  const measured = {
    host: c.host,
    backend: c.backend,
    gflops: c.gflops,
    training_gflops: c.training?.gflops ?? null,
    step_seconds: c.training?.stepSeconds ?? null,
    speed_correction: c.correction ?? null,
    speed_corrections: c.corrections ? JSON.stringify(c.corrections) : null,
    measured_at: c.measuredAt,
  };
  await db.kysely
    .insertInto("grader_calibrations")
    .values({ worker_id: c.workerId, ...measured })
    .onConflict((oc) => oc.column("worker_id").doUpdateSet(measured))
    .execute();
}

/** Removes a grader's measurement (it is shutting down), so a stopped grader no longer counts. */
export async function withdrawCalibration(db: Db, workerId: string): Promise<void> {
  await db.kysely.deleteFrom("grader_calibrations").where("worker_id", "=", workerId).execute();
}

/**
 * The slowest of the measurements made in the last `maxAgeMs`, or null when no grader has published
 * one. Slowest, because any grader may claim the job: a model that fits the budget on the slowest
 * fits on all of them.
 */
export async function latestCalibration(db: Db, options: { now: number; maxAgeMs?: number }): Promise<GraderSpeed | null> {
  const since = options.now - (options.maxAgeMs ?? CALIBRATION_MAX_AGE_MS);
  const rows = await db.kysely
    .selectFrom("grader_calibrations")
    .selectAll()
    .where("measured_at", ">=", since)
    .orderBy("gflops", "asc")
    .orderBy("measured_at", "desc")
    .execute();
  const slowest = rows[0];
  return slowest ? { ...toCalibration(slowest), graders: rows.length } : null;
}
