import type { Kysely, Migration } from "kysely";

/**
 * How far a grader's real trainings are from what its calibration predicted for them: the median
 * ratio of measured to predicted epoch seconds of its recent trainings (`SpeedCorrection`). The
 * tuning estimate multiplies its epoch seconds by it. Null until the grader has completed a
 * training since it calibrated, and for graders from before: the estimate then uses the calibration alone.
 */
export function calibrationCorrection(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      // "double precision" is REAL on SQLite and float8 on PostgreSQL.
      await db.schema.alterTable("grader_calibrations").addColumn("speed_correction", "double precision").execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable("grader_calibrations").dropColumn("speed_correction").execute();
    },
  };
}
