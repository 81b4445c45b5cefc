import type { Kysely, Migration } from "kysely";

/**
 * The audit log: who changed what on an assignment (title, overrides — baseline, target, check
 * visibility —, deadline, attempts, extensions, regrades) and every grade change a regrade made, with
 * the values before and after (JSON). Rows are only ever inserted. Whether a student has seen a change
 * of their grade is kept apart (`grade_changes_seen`), so the log itself stays append-only.
 */
export function auditEvents(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("audit_events")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("course_id", "text", (c) => c.notNull().references("courses.id").onDelete("cascade"))
        .addColumn("assignment_id", "text", (c) => c.references("assignments.id").onDelete("cascade"))
        // No foreign key: the record of who did something outlives the account.
        .addColumn("actor_id", "text")
        .addColumn("action", "text", (c) => c.notNull())
        .addColumn("subject_user_id", "text")
        .addColumn("submission_id", "text", (c) => c.references("submissions.id").onDelete("cascade"))
        .addColumn("before", "text")
        .addColumn("after", "text")
        .addColumn("created_at", "bigint", (c) => c.notNull())
        // Orders events of the same millisecond (a regrade's grade changes and its "applied") as inserted.
        .addColumn("seq", "bigint", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("audit_events_assignment").on("audit_events").columns(["assignment_id", "created_at"]).execute();
      await db.schema.createIndex("audit_events_subject").on("audit_events").columns(["subject_user_id", "course_id"]).execute();
      await db.schema
        .createTable("grade_changes_seen")
        .addColumn("event_id", "text", (c) => c.primaryKey().references("audit_events.id").onDelete("cascade"))
        .addColumn("seen_at", "bigint", (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable("grade_changes_seen").execute();
      await db.schema.dropTable("audit_events").execute();
    },
  };
}
