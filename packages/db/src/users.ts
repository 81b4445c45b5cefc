import { createHash, randomBytes, randomUUID } from "node:crypto";
import { PreconditionError, ValidationError } from "@stepwise/core/contracts";
import type { Selectable } from "kysely";
import { type Db, writeTx } from "./connection";
import { generateSessionToken, hashPassword, isLegacyPasswordHash, verifyPasswordHash } from "./passwords";
import type { UsersTable } from "./schema";

/**
 * Users, their password and their sessions, stored in better-auth's tables (migration 0004): the web
 * app signs people in through better-auth itself; these functions write and read the very same rows
 * with better-auth's own hashing and token format, for the seed, the CLI and tests.
 */

export type Role = "student" | "instructor" | "admin";
const ROLES: readonly Role[] = ["student", "instructor", "admin"];

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  createdAt: number;
}

export const DEFAULT_SESSION_TTL_MS = 30 * 24 * 60 * 60 * 1000;
/** better-auth's provider id for e-mail and password accounts. */
export const CREDENTIAL_PROVIDER = "credential";

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

type UserRow = Pick<Selectable<UsersTable>, "id" | "email" | "name" | "role" | "created_at">;

function toUser(row: UserRow): User {
  const role = ROLES.find((r) => r === row.role);
  if (role === undefined) throw new Error(`Stored role of user ${row.id} must be one of ${ROLES.join(", ")}, got "${row.role}"`);
  return { id: row.id, email: row.email, name: row.name, role, createdAt: Number(row.created_at) };
}

const USER_COLUMNS = ["users.id", "users.email", "users.name", "users.role", "users.created_at"] as const;

/** Creates a user with a credential account, as better-auth's sign-up does (hash included). */
export async function createUser(db: Db, input: { email: string; name: string; role: Role; password: string }, now: number): Promise<User> {
  const email = normalizeEmail(input.email);
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw new ValidationError(`Email must look like name@host, got "${input.email}"`, "email");
  // Length policy belongs to the web app's form schema; here we only refuse the unusable.
  if (input.password.length === 0) throw new ValidationError("Password must not be empty, got an empty string", "password");
  if (!ROLES.includes(input.role))
    throw new ValidationError(`Role must be one of ${ROLES.join(", ")}, got "${String(input.role)}"`, "role");
  // Hashing takes tens of milliseconds: never inside the write transaction.
  const password = await hashPassword(input.password);
  const row = { id: randomUUID(), email, name: input.name.trim(), role: input.role, image: null, created_at: now, updated_at: now };
  await writeTx(db, async (q) => {
    const existing = await q.selectFrom("users").select("id").where("email", "=", email).executeTakeFirst();
    if (existing) throw new PreconditionError(`A user with email ${email} already exists`);
    await q.insertInto("users").values(row).execute();
    await q
      .insertInto("accounts")
      .values({
        id: randomUUID(),
        account_id: row.id,
        provider_id: CREDENTIAL_PROVIDER,
        user_id: row.id,
        password,
        created_at: now,
        updated_at: now,
      })
      .execute();
  });
  return toUser(row);
}

export async function userById(db: Db, id: string): Promise<User | null> {
  const row = await db.kysely.selectFrom("users").select(USER_COLUMNS).where("id", "=", id).executeTakeFirst();
  return row ? toUser(row) : null;
}

export async function userByEmail(db: Db, email: string): Promise<User | null> {
  const row = await db.kysely.selectFrom("users").select(USER_COLUMNS).where("email", "=", normalizeEmail(email)).executeTakeFirst();
  return row ? toUser(row) : null;
}

function credentialOf(db: Db, email: string) {
  return db.kysely
    .selectFrom("users")
    .innerJoin("accounts", (join) => join.onRef("accounts.user_id", "=", "users.id").on("accounts.provider_id", "=", CREDENTIAL_PROVIDER))
    .select([...USER_COLUMNS, "accounts.password"])
    .where("users.email", "=", normalizeEmail(email))
    .executeTakeFirst();
}

/**
 * The user whose e-mail and password these are, or null. Checks the hash exactly as the web app's
 * better-auth does; an unknown e-mail still hashes the password, so it costs as much time as a wrong one.
 */
export async function verifyPassword(db: Db, email: string, password: string): Promise<User | null> {
  const row = await credentialOf(db, email);
  if (!row?.password) {
    await hashPassword(password);
    return null;
  }
  return (await verifyPasswordHash({ hash: row.password, password })) ? toUser(row) : null;
}

/**
 * Replaces a password hash from before better-auth (migration 0004) with better-auth's own, once the
 * password is known to be right (at sign-in). Returns whether it re-hashed. A better-auth hash and a
 * wrong password are left alone.
 */
export async function rehashLegacyPassword(db: Db, userId: string, password: string, now: number): Promise<boolean> {
  const account = await db.kysely
    .selectFrom("accounts")
    .select(["id", "password"])
    .where("user_id", "=", userId)
    .where("provider_id", "=", CREDENTIAL_PROVIDER)
    .executeTakeFirst();
  if (!account?.password || !isLegacyPasswordHash(account.password)) return false;
  if (!(await verifyPasswordHash({ hash: account.password, password }))) return false;
  const result = await db.kysely
    .updateTable("accounts")
    .set({ password: await hashPassword(password), updated_at: now })
    .where("id", "=", account.id)
    // Another sign-in may have re-hashed it meanwhile; never overwrite a newer hash.
    .where("password", "=", account.password)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * A session row as better-auth writes one at sign-in (token format included), for the seed, the CLI
 * and tests. The web app signs the token into its cookie; the bare token identifies the session here.
 */
export async function createSession(
  db: Db,
  userId: string,
  now: number,
  ttlMs: number = DEFAULT_SESSION_TTL_MS,
): Promise<{ token: string; expiresAt: number }> {
  if (!(ttlMs > 0)) throw new ValidationError(`Session TTL must be > 0 ms, got ${ttlMs}`, "ttlMs");
  const token = generateSessionToken();
  const expiresAt = now + ttlMs;
  await db.kysely
    .insertInto("sessions")
    .values({
      id: randomUUID(),
      token,
      user_id: userId,
      expires_at: expiresAt,
      created_at: now,
      updated_at: now,
      ip_address: null,
      user_agent: null,
    })
    .execute();
  return { token, expiresAt };
}

/** The user of an unexpired session, by its bare token (the cookie's signature is checked by the web app). */
export async function userBySessionToken(db: Db, token: string, now: number): Promise<User | null> {
  const row = await db.kysely
    .selectFrom("sessions")
    .innerJoin("users", "users.id", "sessions.user_id")
    .select(USER_COLUMNS)
    .where("sessions.token", "=", token)
    .where("sessions.expires_at", ">", now)
    .executeTakeFirst();
  return row ? toUser(row) : null;
}

export async function deleteSession(db: Db, token: string): Promise<void> {
  await db.kysely.deleteFrom("sessions").where("token", "=", token).execute();
}

/** Removes sessions that expired before `now`; returns how many. Run it now and then. */
export async function deleteExpiredSessions(db: Db, now: number): Promise<number> {
  const result = await db.kysely.deleteFrom("sessions").where("expires_at", "<=", now).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** One signed-in session as its owner sees it (never its token, which is the credential). */
export interface SessionInfo {
  id: string;
  createdAt: number;
  expiresAt: number;
  ipAddress: string | null;
  userAgent: string | null;
}

/** The user's unexpired sessions, newest first, each with its token for the caller to compare (never to show). */
export async function sessionsOfUser(db: Db, userId: string, now: number): Promise<Array<SessionInfo & { token: string }>> {
  const rows = await db.kysely
    .selectFrom("sessions")
    .select(["id", "token", "created_at", "expires_at", "ip_address", "user_agent"])
    .where("user_id", "=", userId)
    .where("expires_at", ">", now)
    .orderBy("created_at", "desc")
    .execute();
  return rows.map((r) => ({
    id: r.id,
    token: r.token,
    createdAt: Number(r.created_at),
    expiresAt: Number(r.expires_at),
    ipAddress: r.ip_address,
    userAgent: r.user_agent,
  }));
}

/** Ends one of the user's sessions; false when the user has no session with that id. */
export async function deleteUserSession(db: Db, userId: string, sessionId: string): Promise<boolean> {
  const result = await db.kysely.deleteFrom("sessions").where("id", "=", sessionId).where("user_id", "=", userId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/**
 * Replaces the user's password when `current` is right, and ends every other session (whoever knew
 * the old password is signed out); `keepToken` is the caller's own session. False: `current` is wrong.
 */
export async function changePassword(
  db: Db,
  input: { userId: string; current: string; next: string; keepToken: string; now: number },
): Promise<boolean> {
  const account = await db.kysely
    .selectFrom("accounts")
    .select(["id", "password"])
    .where("user_id", "=", input.userId)
    .where("provider_id", "=", CREDENTIAL_PROVIDER)
    .executeTakeFirst();
  if (!account?.password || !(await verifyPasswordHash({ hash: account.password, password: input.current }))) return false;
  const hash = await hashPassword(input.next);
  await writeTx(db, async (tx) => {
    await tx.updateTable("accounts").set({ password: hash, updated_at: input.now }).where("id", "=", account.id).execute();
    await tx.deleteFrom("sessions").where("user_id", "=", input.userId).where("token", "<>", input.keepToken).execute();
  });
  return true;
}

const RESET_PREFIX = "password-reset:";
const tokenDigest = (token: string) => `${RESET_PREFIX}${createHash("sha256").update(token).digest("base64url")}`;

/**
 * A one-time password-reset token for the account of `email`, valid `ttlMs`; null when there is no
 * such account. Only the token's SHA-256 is stored, so a database reader cannot use it.
 */
export async function createPasswordReset(
  db: Db,
  input: { email: string; now: number; ttlMs: number },
): Promise<{ token: string; userId: string } | null> {
  const user = await userByEmail(db, input.email);
  if (!user) return null;
  const token = randomBytes(32).toString("base64url");
  await db.kysely
    .insertInto("verifications")
    .values({
      id: randomUUID(),
      identifier: tokenDigest(token),
      value: user.id,
      expires_at: input.now + input.ttlMs,
      created_at: input.now,
      updated_at: input.now,
    })
    .execute();
  return { token, userId: user.id };
}

/**
 * Sets a new password with a reset token, once: the token and every other reset of the account are
 * used up, and every session of the account ends. False when the token is unknown, used or expired.
 */
export async function resetPassword(db: Db, input: { token: string; next: string; now: number }): Promise<boolean> {
  const row = await db.kysely
    .selectFrom("verifications")
    .select(["id", "value"])
    .where("identifier", "=", tokenDigest(input.token))
    .where("expires_at", ">", input.now)
    .executeTakeFirst();
  if (!row) return false;
  const hash = await hashPassword(input.next);
  return writeTx(db, async (tx) => {
    // Deleting the token first makes two uses of one token race to a single winner.
    const used = await tx.deleteFrom("verifications").where("id", "=", row.id).executeTakeFirst();
    if (Number(used.numDeletedRows) === 0) return false;
    await tx.deleteFrom("verifications").where("identifier", "like", `${RESET_PREFIX}%`).where("value", "=", row.value).execute();
    await tx
      .updateTable("accounts")
      .set({ password: hash, updated_at: input.now })
      .where("user_id", "=", row.value)
      .where("provider_id", "=", CREDENTIAL_PROVIDER)
      .execute();
    await tx.deleteFrom("sessions").where("user_id", "=", row.value).execute();
    return true;
  });
}
