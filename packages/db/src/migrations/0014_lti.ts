import type { Kysely, Migration } from "kysely";

/**
 * LTI 1.3: our signing keys, registered platforms, one-time login states and launch tokens, the links
 * from LMS users/courses/resource links to ours, roster membership as the LMS last said, and the
 * passback state of each grade sent to an LMS gradebook.
 */
export function lti(): Migration {
  return {
    async up(db: Kysely<unknown>) {
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
      for (const table of ["lti_passbacks", "lti_members", "lti_links", "lti_contexts", "lti_users", "lti_launch_tokens", "lti_states", "lti_platforms", "lti_keys"])
        await db.schema.dropTable(table).execute();
    },
  };
}
