import type { Kysely, Migration } from "kysely";

/**
 * Each grader's measured training speed (issue 3): the web app checks a model's estimated training
 * time at submit against what the graders actually reach, not a figure fixed in its configuration.
 * One row per grader process, replaced at each measurement.
 */
export function graderCalibration(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("grader_calibrations")
        .addColumn("worker_id", "text", (c) => c.primaryKey())
        .addColumn("host", "text", (c) => c.notNull())
        .addColumn("backend", "text", (c) => c.notNull())
        // "double precision" is REAL affinity on SQLite, float8 on PostgreSQL (float4's 7 digits would round).
        .addColumn("gflops", "double precision", (c) => c.notNull())
        .addColumn("measured_at", "bigint", (c) => c.notNull())
        .execute();
      // The web app reads only recent measurements.
      await db.schema.createIndex("grader_calibrations_measured_at").on("grader_calibrations").column("measured_at").execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable("grader_calibrations").execute();
    },
  };
}
