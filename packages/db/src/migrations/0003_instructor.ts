import { type Kysely, type Migration, sql } from "kysely";

/**
 * The instructor side: course settings (default attempts, late penalty), per-student deadline
 * extensions, CSV datasets uploaded into a course (stored in the database, so every web and grader
 * instance reads the same bytes), and regrades (a preview runs new jobs whose verdicts do not count
 * until the instructor applies them).
 */
export function instructor(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable("courses")
        .addColumn("settings", "text", (c) => c.notNull().defaultTo("{}"))
        .execute();

      // `grade` jobs decide a submission's verdict; `preview` jobs belong to a regrade not yet applied;
      // `experiment` jobs run a debugging experiment (named in `experiment`) on a submission's model and
      // store an experiment result, never a verdict.
      await db.schema
        .alterTable("jobs")
        .addColumn("purpose", "text", (c) =>
          c
            .notNull()
            .defaultTo("grade")
            .check(sql`purpose in ('grade', 'preview', 'experiment')`),
        )
        .execute();
      await db.schema.alterTable("jobs").addColumn("regrade_id", "text").execute();
      await db.schema.alterTable("jobs").addColumn("experiment", "text").execute();
      await db.schema.createIndex("jobs_regrade_id").on("jobs").column("regrade_id").execute();

      await db.schema
        .createTable("regrades")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("assignment_id", "text", (c) => c.notNull().references("assignments.id").onDelete("cascade"))
        .addColumn("created_by", "text", (c) => c.notNull().references("users.id"))
        .addColumn("status", "text", (c) => c.notNull().check(sql`status in ('previewing', 'applied', 'discarded')`))
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("finished_at", "bigint")
        .execute();
      await db.schema.createIndex("regrades_assignment_id").on("regrades").column("assignment_id").execute();

      await db.schema
        .createTable("experiment_results")
        .addColumn("job_id", "text", (c) => c.primaryKey().references("jobs.id").onDelete("cascade"))
        .addColumn("result", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .execute();

      await db.schema
        .createTable("extensions")
        .addColumn("assignment_id", "text", (c) => c.notNull().references("assignments.id").onDelete("cascade"))
        .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
        .addColumn("deadline", "bigint", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("extensions_pk", ["assignment_id", "user_id"])
        .execute();

      await db.schema
        .createTable("datasets")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("course_id", "text", (c) => c.notNull().references("courses.id").onDelete("cascade"))
        // The path a course folder gives it (`data/credit.csv`): assignments name datasets by file.
        .addColumn("file", "text", (c) => c.notNull())
        .addColumn("csv", "text", (c) => c.notNull())
        .addColumn("bytes", "integer", (c) => c.notNull())
        .addColumn("rows", "integer", (c) => c.notNull())
        .addColumn("columns", "text", (c) => c.notNull())
        .addColumn("created_by", "text", (c) => c.references("users.id"))
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addUniqueConstraint("datasets_course_file", ["course_id", "file"])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable("datasets").execute();
      await db.schema.dropTable("extensions").execute();
      await db.schema.dropTable("regrades").execute();
      await db.schema.dropTable("experiment_results").execute();
      await db.schema.dropIndex("jobs_regrade_id").execute();
      await db.schema.alterTable("jobs").dropColumn("experiment").execute();
      await db.schema.alterTable("jobs").dropColumn("regrade_id").execute();
      await db.schema.alterTable("jobs").dropColumn("purpose").execute();
      await db.schema.alterTable("courses").dropColumn("settings").execute();
    },
  };
}
