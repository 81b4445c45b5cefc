import { type Kysely, type Migration, sql } from "kysely";
import type { Dialect } from "../connection";

/**
 * LTI 1.3: our signing keys, registered platforms, one-time login states and launch tokens, the links
 * from LMS users/courses/resource links to ours, roster membership as the LMS last said, and the
 * passback state of each grade sent to an LMS gradebook.
 */
const PURPOSES = ["grade", "preview", "experiment"];

/**
 * Widens the jobs.purpose check to admit `passback`. PostgreSQL replaces the named constraint. SQLite
 * cannot alter a CHECK, so the table is rebuilt the documented way (sqlite.org/lang_altertable.html
 * §7): foreign keys off, a copy with the new definition, the old table dropped, the copy renamed, its
 * indexes made again, the foreign keys checked. The tables that reference jobs keep referencing "jobs".
 */
async function widenPurposes(db: Kysely<unknown>, dialect: Dialect, purposes: string[]): Promise<void> {
  const check = `check (purpose in (${purposes.map((p) => `'${p}'`).join(", ")}))`;
  if (dialect === "postgres") {
    await sql`alter table jobs drop constraint if exists jobs_purpose_check`.execute(db);
    await sql.raw(`alter table jobs add constraint jobs_purpose_check ${check}`).execute(db);
    return;
  }
  const table =
    (await sql<{ sql: string }>`select sql from sqlite_master where type = 'table' and name = 'jobs'`.execute(db)).rows[0]?.sql ?? "";
  const indexes = (await sql<{ sql: string | null }>`select sql from sqlite_master where type = 'index' and tbl_name = 'jobs'`.execute(db))
    .rows;
  const widened = table.replace(/check \(purpose in \([^)]*\)\)/, check).replace(/^CREATE TABLE "jobs"/, 'CREATE TABLE "jobs_widened"');
  if (widened === table || !widened.startsWith('CREATE TABLE "jobs_widened"'))
    throw new Error(`jobs table definition not recognised: ${table}`);
  await sql`pragma foreign_keys = off`.execute(db);
  const off = (await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(db)).rows[0]?.foreign_keys;
  // Dropping jobs with foreign keys on would cascade into verdicts, progress and logs.
  if (off !== 0) throw new Error("Cannot turn SQLite foreign keys off to rebuild the jobs table (inside a transaction?)");
  try {
    await sql.raw(widened).execute(db);
    await sql`insert into jobs_widened select * from jobs`.execute(db);
    await sql`drop table jobs`.execute(db);
    await sql`alter table jobs_widened rename to jobs`.execute(db);
    for (const index of indexes) if (index.sql) await sql.raw(index.sql).execute(db);
    const broken = (await sql`pragma foreign_key_check`.execute(db)).rows.length;
    if (broken > 0) throw new Error(`Rebuilding the jobs table broke ${broken} foreign key(s)`);
  } finally {
    await sql`pragma foreign_keys = on`.execute(db);
  }
}

export function lti(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await widenPurposes(db, dialect, [...PURPOSES, "passback"]);
      await db.schema
        .createTable("lti_keys")
        .addColumn("kid", "text", (c) => c.primaryKey())
        .addColumn("private_jwk", "text", (c) => c.notNull())
        .addColumn("public_jwk", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("lti_platforms")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("issuer", "text", (c) => c.notNull())
        .addColumn("client_id", "text", (c) => c.notNull())
        .addColumn("deployment_ids", "text", (c) => c.notNull())
        .addColumn("auth_url", "text", (c) => c.notNull())
        .addColumn("token_url", "text", (c) => c.notNull())
        .addColumn("jwks_url", "text", (c) => c.notNull())
        .addColumn("trust_email", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("registered_by", "text", (c) => c.references("users.id").onDelete("set null"))
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addUniqueConstraint("lti_platforms_issuer_client", ["issuer", "client_id"])
        .execute();
      await db.schema
        .createTable("lti_states")
        .addColumn("state", "text", (c) => c.primaryKey())
        .addColumn("nonce", "text", (c) => c.notNull().unique())
        .addColumn("platform_id", "text", (c) => c.notNull().references("lti_platforms.id").onDelete("cascade"))
        .addColumn("expires_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("lti_launch_tokens")
        .addColumn("token_hash", "text", (c) => c.primaryKey())
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
        .addColumn("payload", "text", (c) => c.notNull())
        .addColumn("expires_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("lti_users")
        .addColumn("platform_id", "text", (c) => c.notNull().references("lti_platforms.id").onDelete("cascade"))
        .addColumn("sub", "text", (c) => c.notNull())
        .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
        .addPrimaryKeyConstraint("lti_users_pk", ["platform_id", "sub"])
        .execute();
      await db.schema
        .createTable("lti_contexts")
        .addColumn("platform_id", "text", (c) => c.notNull().references("lti_platforms.id").onDelete("cascade"))
        .addColumn("context_id", "text", (c) => c.notNull())
        .addColumn("course_id", "text", (c) => c.notNull().references("courses.id").onDelete("cascade"))
        .addColumn("deployment_id", "text", (c) => c.notNull())
        .addColumn("title", "text", (c) => c.notNull())
        .addColumn("memberships_url", "text")
        .addColumn("line_items_url", "text")
        .addColumn("synced_at", "bigint")
        .addPrimaryKeyConstraint("lti_contexts_pk", ["platform_id", "context_id"])
        .execute();
      await db.schema
        .createTable("lti_links")
        .addColumn("platform_id", "text", (c) => c.notNull().references("lti_platforms.id").onDelete("cascade"))
        .addColumn("resource_link_id", "text", (c) => c.notNull())
        .addColumn("context_id", "text", (c) => c.notNull())
        .addColumn("assignment_id", "text", (c) => c.references("assignments.id").onDelete("cascade"))
        .addColumn("line_item_url", "text")
        .addPrimaryKeyConstraint("lti_links_pk", ["platform_id", "resource_link_id"])
        .execute();
      await db.schema
        .createTable("lti_members")
        .addColumn("platform_id", "text", (c) => c.notNull().references("lti_platforms.id").onDelete("cascade"))
        .addColumn("context_id", "text", (c) => c.notNull())
        .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
        .addColumn("role", "text", (c) => c.notNull())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("lti_members_pk", ["platform_id", "context_id", "user_id"])
        .execute();
      await db.schema
        .createTable("lti_passbacks")
        .addColumn("line_item_url", "text", (c) => c.notNull())
        .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
        .addColumn("platform_id", "text", (c) => c.notNull().references("lti_platforms.id").onDelete("cascade"))
        .addColumn("assignment_id", "text", (c) => c.notNull().references("assignments.id").onDelete("cascade"))
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("score_given", "double precision")
        .addColumn("score_maximum", "double precision")
        .addColumn("last_error", "text")
        .addColumn("sent_at", "bigint")
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("lti_passbacks_pk", ["line_item_url", "user_id"])
        .execute();
      await db.schema.createIndex("lti_passbacks_assignment").on("lti_passbacks").columns(["assignment_id", "user_id"]).execute();
    },
    async down(db: Kysely<unknown>) {
      await sql`delete from jobs where purpose = 'passback'`.execute(db);
      await widenPurposes(db, dialect, PURPOSES);
      for (const table of [
        "lti_passbacks",
        "lti_members",
        "lti_links",
        "lti_contexts",
        "lti_users",
        "lti_launch_tokens",
        "lti_states",
        "lti_platforms",
        "lti_keys",
      ])
        await db.schema.dropTable(table).execute();
    },
  };
}
