import type { Kysely, Migration } from "kysely";

/**
 * Course mode and per-student step overrides for the workflow engine. `courses.mode` is `guided`
 * (a step locks until its prerequisite step of the same project passes) or `independent` (every
 * step open). Courses that existed before this migration keep today's behaviour, `independent`;
 * new courses are created `guided` by `createCourse`. `step_overrides` holds an instructor's
 * decision to open or pass one step of one project for one student.
 */
export function courseMode(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable("courses")
        .addColumn("mode", "text", (c) => c.notNull().defaultTo("independent"))
        .execute();
      await db.schema
        .createTable("step_overrides")
        .addColumn("course_id", "text", (c) => c.notNull().references("courses.id").onDelete("cascade"))
        .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
        .addColumn("project", "text", (c) => c.notNull())
        .addColumn("step_id", "text", (c) => c.notNull())
        .addColumn("action", "text", (c) => c.notNull())
        .addColumn("created_by", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("step_overrides_pk", ["course_id", "user_id", "project", "step_id"])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable("step_overrides").execute();
      await db.schema.alterTable("courses").dropColumn("mode").execute();
    },
  };
}
