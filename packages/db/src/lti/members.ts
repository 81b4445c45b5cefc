import { createHash, randomUUID } from "node:crypto";
import type { Db } from "../connection";
import type { CourseRole } from "../course-members";
import { normalizeEmail } from "../users";
import type { LtiPlatform } from "./platforms";

/** An LMS user as a launch or a roster names them, role already mapped. */
export interface LmsMember {
  sub: string;
  name: string;
  email: string | null;
  role: CourseRole;
}

/**
 * The Stepwise account of an LMS user: the one linked to (platform, sub) before; else, on a platform
 * an operator trusts for e-mail, the existing account with that address; on a platform an instructor
 * registered, that instructor's account when an LMS instructor carries its address; else a new account without a
 * password (it signs in only through the LMS). A platform's e-mail claim is not trusted by default:
 * whoever administers an LMS could otherwise claim any Stepwise account by its address.
 */
export async function linkMember(db: Db, platform: LtiPlatform, member: LmsMember, now: number): Promise<string> {
  const linked = await db.kysely
    .selectFrom("lti_users")
    .select("user_id")
    .where("platform_id", "=", platform.id)
    .where("sub", "=", member.sub)
    .executeTakeFirst();
  let userId = linked?.user_id ?? null;
  const email = member.email === null ? null : normalizeEmail(member.email);
  if (userId === null && platform.trustEmail && email !== null) {
    userId = (await db.kysely.selectFrom("users").select("id").where("email", "=", email).executeTakeFirst())?.id ?? null;
  }
  // The instructor who registered this LMS trusted it with their courses, and so with their own
  // account — and only theirs: otherwise the deep-linking picker of the instructor's LMS account would
  // list none of the Stepwise courses they teach.
  if (userId === null && platform.registeredBy !== null && member.role === "instructor" && email !== null) {
    const registrant = await db.kysely
      .selectFrom("users")
      .select(["id", "email"])
      .where("id", "=", platform.registeredBy)
      .executeTakeFirst();
    if (registrant && normalizeEmail(registrant.email) === email) userId = registrant.id;
  }
  if (userId === null) {
    const taken =
      email === null || (await db.kysely.selectFrom("users").select("id").where("email", "=", email).executeTakeFirst()) !== undefined;
    // A unique, recognisable placeholder when the LMS sent no address or the address belongs to another account.
    const address = taken
      ? `lti-${createHash("sha256").update(`${platform.id}\u0000${member.sub}`).digest("hex").slice(0, 16)}@lti.invalid`
      : email;
    userId = randomUUID();
    await db.kysely
      .insertInto("users")
      .values({
        id: userId,
        email: address,
        name: member.name.trim() || "LMS user",
        role: member.role,
        image: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
  }
  await db.kysely
    .insertInto("lti_users")
    .values({ platform_id: platform.id, sub: member.sub, user_id: userId })
    .onConflict((oc) => oc.columns(["platform_id", "sub"]).doNothing())
    .execute();
  // Teaching in the LMS opens the instructor pages; a student account keeps its role otherwise.
  if (member.role === "instructor")
    await db.kysely
      .updateTable("users")
      .set({ role: "instructor", updated_at: now })
      .where("id", "=", userId)
      .where("role", "=", "student")
      .execute();
  return userId;
}
