import type { Kysely, Migration } from "kysely";

/**
 * A student's unsubmitted work on an assignment (model code or JSON, training settings, answers),
 * one row per student and assignment, so a reload or another device opens where they left off.
 * The content is JSON the web app validates; the size cap is enforced where it is written.
 */
export function drafts(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("drafts")
        .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
        .addColumn("assignment_id", "text", (c) => c.notNull().references("assignments.id").onDelete("cascade"))
        .addColumn("content", "text", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("drafts_pk", ["user_id", "assignment_id"])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable("drafts").execute();
    },
  };
}
