import { createHash, randomBytes, randomUUID, scrypt, timingSafeEqual } from "node:crypto";
import { PreconditionError, ValidationError } from "@stepwise/core/contracts";
import type { Selectable } from "kysely";
import type { Db } from "./connection";
import type { UsersTable } from "./schema";

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
const KEY_LENGTH = 64;
// A fixed salt for the dummy hash computed when the email is unknown, so that a miss costs as
// much time as a wrong password and does not reveal which emails have accounts.
const DUMMY_SALT = Buffer.alloc(16);

function scryptAsync(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize("NFKC"), salt, KEY_LENGTH, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

function toUser(row: Selectable<UsersTable>): User {
  const role = ROLES.find((r) => r === row.role);
  if (role === undefined) throw new Error(`Stored role of user ${row.id} must be one of ${ROLES.join(", ")}, got "${row.role}"`);
  return { id: row.id, email: row.email, name: row.name, role, createdAt: row.created_at };
}

export async function createUser(
  db: Db,
  input: { email: string; name: string; role: Role; password: string },
  now: number,
): Promise<User> {
  const email = normalizeEmail(input.email);
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw new ValidationError(`Email must look like name@host, got "${input.email}"`, "email");
  // Length policy belongs to the web app's form schema; here we only refuse the unusable.
  if (input.password.length === 0) throw new ValidationError("Password must not be empty, got an empty string", "password");
  if (!ROLES.includes(input.role)) throw new ValidationError(`Role must be one of ${ROLES.join(", ")}, got "${String(input.role)}"`, "role");
  const existing = await db.kysely.selectFrom("users").select("id").where("email", "=", email).executeTakeFirst();
  if (existing) throw new PreconditionError(`A user with email ${email} already exists`);
  const salt = randomBytes(16);
  const hash = await scryptAsync(input.password, salt);
  const row = {
    id: randomUUID(),
    email,
    name: input.name.trim(),
    role: input.role,
    password_hash: hash.toString("hex"),
    password_salt: salt.toString("hex"),
    created_at: now,
  };
  await db.kysely.insertInto("users").values(row).execute();
  return toUser(row);
}

export async function userById(db: Db, id: string): Promise<User | null> {
  const row = await db.kysely.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
  return row ? toUser(row) : null;
}

export async function userByEmail(db: Db, email: string): Promise<User | null> {
  const row = await db.kysely.selectFrom("users").selectAll().where("email", "=", normalizeEmail(email)).executeTakeFirst();
  return row ? toUser(row) : null;
}

export async function verifyPassword(db: Db, email: string, password: string): Promise<User | null> {
  const row = await db.kysely.selectFrom("users").selectAll().where("email", "=", normalizeEmail(email)).executeTakeFirst();
  if (!row) {
    await scryptAsync(password, DUMMY_SALT);
    return null;
  }
  const expected = Buffer.from(row.password_hash, "hex");
  const actual = await scryptAsync(password, Buffer.from(row.password_salt, "hex"));
  return expected.length === actual.length && timingSafeEqual(expected, actual) ? toUser(row) : null;
}

function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export async function createSession(
  db: Db,
  userId: string,
  now: number,
  ttlMs: number = DEFAULT_SESSION_TTL_MS,
): Promise<{ token: string; expiresAt: number }> {
  if (!(ttlMs > 0)) throw new ValidationError(`Session TTL must be > 0 ms, got ${ttlMs}`, "ttlMs");
  const token = randomBytes(32).toString("base64url");
  const expiresAt = now + ttlMs;
  await db.kysely
    .insertInto("sessions")
    .values({ token_hash: hashToken(token), user_id: userId, created_at: now, expires_at: expiresAt })
    .execute();
  return { token, expiresAt };
}

export async function userBySessionToken(db: Db, token: string, now: number): Promise<User | null> {
  const row = await db.kysely
    .selectFrom("sessions")
    .innerJoin("users", "users.id", "sessions.user_id")
    .selectAll("users")
    .where("sessions.token_hash", "=", hashToken(token))
    .where("sessions.expires_at", ">", now)
    .executeTakeFirst();
  return row ? toUser(row) : null;
}

export async function deleteSession(db: Db, token: string): Promise<void> {
  await db.kysely.deleteFrom("sessions").where("token_hash", "=", hashToken(token)).execute();
}

/** Removes sessions that expired before `now`; returns how many. Run it now and then. */
export async function deleteExpiredSessions(db: Db, now: number): Promise<number> {
  const result = await db.kysely.deleteFrom("sessions").where("expires_at", "<=", now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
