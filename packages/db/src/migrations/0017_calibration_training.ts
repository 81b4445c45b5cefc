import type { Kysely, Migration } from "kysely";

/**
 * What a grader measured training its two reference models, beside its matmul-derived figure: the
 * throughput of a training step's products and the fixed cost of a step. The tuning estimate costs
 * every training with both (a small model's epoch is mostly steps, a large one's mostly products).
 * Null for measurements of graders from before, which are costed with `gflops` alone.
 */
export function calibrationTraining(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      // "double precision" is REAL on SQLite and float8 on PostgreSQL; one statement per column for SQLite.
      await db.schema.alterTable("grader_calibrations").addColumn("training_gflops", "double precision").execute();
      await db.schema.alterTable("grader_calibrations").addColumn("step_seconds", "double precision").execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable("grader_calibrations").dropColumn("step_seconds").execute();
      await db.schema.alterTable("grader_calibrations").dropColumn("training_gflops").execute();
    },
  };
}
