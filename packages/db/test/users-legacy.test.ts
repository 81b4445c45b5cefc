import { createHash, randomBytes, randomUUID, scrypt } from "node:crypto";
import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  LEGACY_HASH_PREFIX,
  enroll,
  membership,
  migrate,
  migrateTo,
  rehashLegacyPassword,
  userByEmail,
  verifyPassword,
} from "../src/index";
import { type TestDb, openTestDb, tableColumns, testDialects } from "../src/testing";

// The old `createUser`: Node's scrypt defaults (N=16384, r=8, p=1), 64-byte key, 16 raw salt bytes.
function oldHash(password: string): Promise<{ hash: string; salt: string }> {
  const salt = randomBytes(16);
  return new Promise((resolve, reject) => {
    scrypt(password.normalize("NFKC"), salt, 64, (error, key) =>
      error ? reject(error) : resolve({ hash: key.toString("hex"), salt: salt.toString("hex") }),
    );
  });
}

describe.each(testDialects)("migration 0004 moves existing users to better-auth's tables on %s", (dialect) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await openTestDb(dialect, { migrate: false });
    await migrateTo(t.db, "0003_instructor");
  });
  afterEach(async () => {
    await t.cleanup();
  });

  async function oldUser(email: string, password: string, role = "student") {
    const { hash, salt } = await oldHash(password);
    const id = randomUUID();
    // Rows as migration 0003 left them, written the way the pre-better-auth code wrote them.
    await sql`insert into users (id, email, name, role, password_hash, password_salt, created_at) values (${id}, ${email}, 'Old Timer', ${role}, ${hash}, ${salt}, 1234)`.execute(
      t.db.kysely,
    );
    return id;
  }

  it("keeps the user and its enrollments, and the old password signs in; a wrong one does not", async () => {
    const id = await oldUser("old@example.test", "old-password", "instructor");
    // The course as migration 0003 left it: today's createCourse writes columns later migrations add.
    const course = { id: randomUUID() };
    await sql`insert into courses (id, title, join_code, archived, created_at, settings) values (${course.id}, 'Kept', 'KEPT-0001', 0, 1, '{}')`.execute(
      t.db.kysely,
    );
    await enroll(t.db, { courseId: course.id, userId: id, role: "instructor" }, 1);
    await migrate(t.db);

    expect(await userByEmail(t.db, "old@example.test")).toEqual({
      id,
      email: "old@example.test",
      name: "Old Timer",
      role: "instructor",
      createdAt: 1234,
    });
    expect(await membership(t.db, course.id, id)).toBe("instructor");
    const row = await t.db.kysely.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ updated_at: 1234, email_verified: 0, image: null });
    expect(row).not.toHaveProperty("password_hash");
    const account = await t.db.kysely.selectFrom("accounts").selectAll().where("user_id", "=", id).executeTakeFirstOrThrow();
    expect(account).toMatchObject({ provider_id: "credential", account_id: id, created_at: 1234 });
    expect(account.password?.startsWith(LEGACY_HASH_PREFIX)).toBe(true);

    expect((await verifyPassword(t.db, "old@example.test", "old-password"))?.id).toBe(id);
    expect(await verifyPassword(t.db, "old@example.test", "old-passwork")).toBeNull();
  });

  it("re-hashes a legacy password in better-auth's format once it is known to be right, and only then", async () => {
    const id = await oldUser("rehash@example.test", "rehash-password");
    await migrate(t.db);
    const stored = () =>
      t.db.kysely.selectFrom("accounts").select(["password", "updated_at"]).where("user_id", "=", id).executeTakeFirstOrThrow();

    expect(await rehashLegacyPassword(t.db, id, "not-the-password", 50)).toBe(false);
    expect((await stored()).password?.startsWith(LEGACY_HASH_PREFIX)).toBe(true);

    expect(await rehashLegacyPassword(t.db, id, "rehash-password", 60)).toBe(true);
    const after = await stored();
    expect(after.password).toMatch(/^[0-9a-f]{32}:[0-9a-f]{128}$/);
    expect(after.updated_at).toBe(60);
    expect((await verifyPassword(t.db, "rehash@example.test", "rehash-password"))?.id).toBe(id);
    expect(await rehashLegacyPassword(t.db, id, "rehash-password", 70)).toBe(false);
  });

  it("ends the old sessions: their tokens were stored hashed and better-auth looks sessions up by token", async () => {
    const id = await oldUser("session@example.test", "session-password");
    const tokenHash = createHash("sha256").update("old-token").digest("hex");
    await sql`insert into sessions (token_hash, user_id, created_at, expires_at) values (${tokenHash}, ${id}, 1, ${10 ** 13})`.execute(
      t.db.kysely,
    );
    await migrate(t.db);
    expect(await t.db.kysely.selectFrom("sessions").selectAll().execute()).toEqual([]);
    expect((await tableColumns(t.db)).get("sessions")).toEqual([
      "created_at",
      "expires_at",
      "id",
      "ip_address",
      "token",
      "updated_at",
      "user_agent",
      "user_id",
    ]);
  });
});
