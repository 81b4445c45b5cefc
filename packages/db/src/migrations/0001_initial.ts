import { type Kysely, type Migration, sql } from "kysely";
import type { Dialect } from "../connection";

const JOB_STATUSES = "('queued', 'running', 'done', 'dead', 'cancelled')";

/** Users, sessions, courses, assignments, submissions and the job queue with its verdicts, progress and logs. */
export function initial(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("users")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("email", "text", (c) => c.notNull().unique())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("role", "text", (c) => c.notNull().check(sql`role in ('student', 'instructor', 'admin')`))
        .addColumn("password_hash", "text", (c) => c.notNull())
        .addColumn("password_salt", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .execute();

      await db.schema
        .createTable("sessions")
        .addColumn("token_hash", "text", (c) => c.primaryKey())
        .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("expires_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("sessions_user_id").on("sessions").column("user_id").execute();

      await db.schema
        .createTable("courses")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("title", "text", (c) => c.notNull())
        .addColumn("join_code", "text", (c) => c.notNull().unique())
        .addColumn("archived", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .execute();

      await db.schema
        .createTable("enrollments")
        .addColumn("course_id", "text", (c) => c.notNull().references("courses.id").onDelete("cascade"))
        .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
        .addColumn("role", "text", (c) => c.notNull().check(sql`role in ('student', 'instructor')`))
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("enrollments_pk", ["course_id", "user_id"])
        .execute();
      await db.schema.createIndex("enrollments_user_id").on("enrollments").column("user_id").execute();

      await db.schema
        .createTable("assignments")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("course_id", "text", (c) => c.notNull().references("courses.id").onDelete("cascade"))
        .addColumn("exercise_id", "text", (c) => c.notNull())
        .addColumn("title", "text", (c) => c.notNull())
        .addColumn("overrides", "text", (c) => c.notNull().defaultTo("{}"))
        .addColumn("deadline", "bigint")
        .addColumn("attempts_allowed", "integer")
        .addColumn("position", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("assignments_course_id").on("assignments").columns(["course_id", "position"]).execute();

      await db.schema
        .createTable("submissions")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("assignment_id", "text", (c) => c.notNull().references("assignments.id").onDelete("cascade"))
        .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
        .addColumn("exercise_id", "text", (c) => c.notNull())
        .addColumn("payload", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("submissions_assignment_user")
        .on("submissions")
        .columns(["assignment_id", "user_id", "created_at"])
        .execute();

      await db.schema
        .createTable("jobs")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("submission_id", "text", (c) => c.notNull().references("submissions.id").onDelete("cascade"))
        .addColumn("status", "text", (c) => c.notNull().check(sql.raw(`status in ${JOB_STATUSES}`)))
        .addColumn("priority", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("max_attempts", "integer", (c) => c.notNull().check(sql`max_attempts >= 1`))
        .addColumn("run_after", "bigint", (c) => c.notNull())
        .addColumn("lease_until", "bigint")
        .addColumn("worker_id", "text")
        .addColumn("last_error", "text")
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("started_at", "bigint")
        .addColumn("finished_at", "bigint")
        // SQLite has no sequences outside INTEGER PRIMARY KEY; inserts there compute max(seq)+1,
        // which is race-free because SQLite serializes writers.
        .addColumn("seq", dialect === "postgres" ? sql`bigserial` : "integer", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("jobs_claim_order").on("jobs").columns(["status", "priority", "created_at", "seq"]).execute();
      await db.schema.createIndex("jobs_lease").on("jobs").columns(["status", "lease_until"]).execute();
      await db.schema.createIndex("jobs_submission_id").on("jobs").column("submission_id").execute();

      await db.schema
        .createTable("verdicts")
        .addColumn("job_id", "text", (c) => c.primaryKey().references("jobs.id").onDelete("cascade"))
        .addColumn("submission_id", "text", (c) => c.notNull().references("submissions.id").onDelete("cascade"))
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("verdict", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("verdicts_submission_id").on("verdicts").column("submission_id").execute();

      await db.schema
        .createTable("job_progress")
        .addColumn("job_id", "text", (c) => c.notNull().references("jobs.id").onDelete("cascade"))
        .addColumn("seq", "integer", (c) => c.notNull())
        .addColumn("event", "text", (c) => c.notNull())
        .addColumn("at", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("job_progress_pk", ["job_id", "seq"])
        .execute();

      await db.schema
        .createTable("job_logs")
        .addColumn("job_id", "text", (c) => c.primaryKey().references("jobs.id").onDelete("cascade"))
        .addColumn("text", "text", (c) => c.notNull())
        .addColumn("bytes", "integer", (c) => c.notNull())
        .addColumn("truncated", "integer", (c) => c.notNull().defaultTo(0))
        .execute();
    },
  };
}
