import { type Kysely, type Migration, sql } from "kysely";

/** Marks a password hash written by Stepwise before better-auth (see `users.ts`, `LEGACY_HASH_PREFIX`). */
const LEGACY_PREFIX = "legacy-scrypt$";

/**
 * Accounts move to better-auth's tables (issue 6: a well-kept auth library instead of our own crypto).
 *
 * - `users` stays the user table (every other table refers to `users.id`); it gains the columns
 *   better-auth's `user` model needs (`email_verified`, `image`, `updated_at`).
 * - Passwords move to better-auth's `accounts` table, one `credential` account per user. The old
 *   scrypt hashes (salt and key in two hex columns, Node's default N=16384 r=8 p=1) cannot be turned
 *   into better-auth's format (r=16) without the password, so they move as
 *   `legacy-scrypt$<salt hex>$<key hex>`: the verifier accepts both formats, and the first sign-in
 *   re-hashes the password in better-auth's format.
 * - Sessions cannot move: the old table kept only a SHA-256 of each token, better-auth looks sessions
 *   up by token. The table is replaced, so everyone signs in once more after this migration.
 * - Timestamps stay bigint milliseconds and booleans 0/1, as in every other table; the auth storage
 *   (`auth-store.ts`) converts better-auth's Dates and booleans at the SQL boundary.
 */
export function betterAuth(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable("users")
        .addColumn("email_verified", "integer", (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.alterTable("users").addColumn("image", "text").execute();
      // NOT NULL needs a default on SQLite; every row gets its created_at just below.
      await db.schema
        .alterTable("users")
        .addColumn("updated_at", "bigint", (c) => c.notNull().defaultTo(0))
        .execute();
      await sql`update users set updated_at = created_at`.execute(db);

      await db.schema
        .createTable("accounts")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("account_id", "text", (c) => c.notNull())
        .addColumn("provider_id", "text", (c) => c.notNull())
        .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
        .addColumn("access_token", "text")
        .addColumn("refresh_token", "text")
        .addColumn("id_token", "text")
        .addColumn("access_token_expires_at", "bigint")
        .addColumn("refresh_token_expires_at", "bigint")
        .addColumn("scope", "text")
        .addColumn("password", "text")
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("accounts_user_id").on("accounts").column("user_id").execute();
      await db.schema.createIndex("accounts_provider_account").on("accounts").columns(["provider_id", "account_id"]).unique().execute();
      // One credential account per existing user, keyed like better-auth's own (account_id = user id).
      await sql`
        insert into accounts (id, account_id, provider_id, user_id, password, created_at, updated_at)
        select id, id, 'credential', id, ${sql.lit(LEGACY_PREFIX)} || password_salt || '$' || password_hash, created_at, created_at
        from users
      `.execute(db);
      await db.schema.alterTable("users").dropColumn("password_hash").execute();
      await db.schema.alterTable("users").dropColumn("password_salt").execute();

      await db.schema.dropTable("sessions").execute();
      await db.schema
        .createTable("sessions")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("token", "text", (c) => c.notNull().unique())
        .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
        .addColumn("expires_at", "bigint", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .addColumn("ip_address", "text")
        .addColumn("user_agent", "text")
        .execute();
      await db.schema.createIndex("sessions_user_id").on("sessions").column("user_id").execute();
      // Purging expired sessions scans by time.
      await db.schema.createIndex("sessions_expires_at").on("sessions").column("expires_at").execute();

      await db.schema
        .createTable("verifications")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("identifier", "text", (c) => c.notNull())
        .addColumn("value", "text", (c) => c.notNull())
        .addColumn("expires_at", "bigint", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("verifications_identifier").on("verifications").column("identifier").execute();
    },

    /**
     * Back to 0003's shape. Legacy hashes go back where they came from; a password already re-hashed
     * by better-auth cannot be converted, so that user gets an unusable hash and must have it reset.
     */
    async down(db: Kysely<unknown>) {
      await db.schema
        .alterTable("users")
        .addColumn("password_hash", "text", (c) => c.notNull().defaultTo(""))
        .execute();
      await db.schema
        .alterTable("users")
        .addColumn("password_salt", "text", (c) => c.notNull().defaultTo(""))
        .execute();
      const legacy = await sql<{ user_id: string; password: string }>`
        select user_id, password from accounts where provider_id = 'credential' and password like ${`${LEGACY_PREFIX}%`}
      `.execute(db);
      for (const row of legacy.rows) {
        const [salt = "", hash = ""] = row.password.slice(LEGACY_PREFIX.length).split("$");
        await sql`update users set password_salt = ${salt}, password_hash = ${hash} where id = ${row.user_id}`.execute(db);
      }
      await db.schema.dropTable("verifications").execute();
      await db.schema.dropTable("sessions").execute();
      await db.schema
        .createTable("sessions")
        .addColumn("token_hash", "text", (c) => c.primaryKey())
        .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("expires_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("sessions_user_id").on("sessions").column("user_id").execute();
      await db.schema.dropTable("accounts").execute();
      await db.schema.alterTable("users").dropColumn("updated_at").execute();
      await db.schema.alterTable("users").dropColumn("image").execute();
      await db.schema.alterTable("users").dropColumn("email_verified").execute();
    },
  };
}
