import { type Kysely, type Migration, sql } from "kysely";

/**
 * Test-set hygiene (issue 9): one row per evaluation of a student's model on an assignment's hidden
 * test set — a graded step-7 submission, or the final phase of a tuning run. Rows are reserved
 * before the test set is touched (under a per-student lock, see `test-evaluations.ts`), so the
 * per-assignment limit holds under concurrent requests; the grader then records what the student
 * saw (validation and test metric, a fingerprint of the configuration) and whether the choice of
 * this configuration can only have been made on the test score (`flag`, JSON evidence).
 */
export function testEvaluations(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("test_evaluations")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("assignment_id", "text", (c) => c.notNull().references("assignments.id").onDelete("cascade"))
        .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
        .addColumn("source", "text", (c) => c.notNull().check(sql`source in ('submission', 'tuning')`))
        .addColumn("submission_id", "text", (c) => c.notNull().references("submissions.id").onDelete("cascade"))
        // No foreign key: a caller may reserve before it inserts the job in the same transaction, and
        // both dialects check foreign keys per statement. A missing job counts as pending.
        .addColumn("job_id", "text")
        .addColumn("created_at", "bigint", (c) => c.notNull())
        // Null until the grader recorded the result.
        .addColumn("evaluated_at", "bigint")
        // "double precision": float8 on PostgreSQL, REAL affinity on SQLite.
        .addColumn("validation_metric", "double precision")
        // Which validation metric (best validation accuracy, K-fold mean MAE, …): only like ones are compared.
        .addColumn("validation_metric_name", "text")
        .addColumn("test_metric", "double precision")
        .addColumn("higher_is_better", "integer", (c) => c.notNull().defaultTo(1))
        .addColumn("config_key", "text")
        .addColumn("flag", "text")
        .execute();
      await db.schema
        .createIndex("test_evaluations_assignment_user")
        .on("test_evaluations")
        .columns(["assignment_id", "user_id"])
        .execute();
      await db.schema.createIndex("test_evaluations_job_id").on("test_evaluations").column("job_id").execute();
      await db.schema.createIndex("test_evaluations_submission_id").on("test_evaluations").column("submission_id").execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable("test_evaluations").execute();
    },
  };
}
