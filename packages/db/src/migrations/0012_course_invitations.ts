import type { Kysely, Migration } from "kysely";

/**
 * Invitations to co-teach a course: an instructor invites an e-mail address, and only the signed-in
 * owner of that address can accept, before `expires_at` and unless revoked. Only the token's SHA-256
 * is stored (`token_hash`), so a database reader cannot accept on anyone's behalf. Nothing grants
 * access until `accepted_at` is set, in the same transaction that enrolls the invitee.
 */
export function courseInvitations(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("course_invitations")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("course_id", "text", (c) => c.notNull().references("courses.id").onDelete("cascade"))
        .addColumn("email", "text", (c) => c.notNull())
        .addColumn("token_hash", "text", (c) => c.notNull().unique())
        .addColumn("invited_by", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("expires_at", "bigint", (c) => c.notNull())
        .addColumn("accepted_at", "bigint")
        .addColumn("accepted_by", "text", (c) => c.references("users.id").onDelete("set null"))
        .addColumn("revoked_at", "bigint")
        .execute();
      await db.schema.createIndex("course_invitations_course").on("course_invitations").columns(["course_id", "email"]).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable("course_invitations").execute();
    },
  };
}
