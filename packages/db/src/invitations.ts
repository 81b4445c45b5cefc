import { createHash, randomBytes, randomUUID } from "node:crypto";
import { ForbiddenError, NotFoundError, PreconditionError } from "@stepwise/core/contracts";
import { type Db, writeTx } from "./connection";
import type { CourseMember } from "./course-members";
import { normalizeEmail } from "./users";

/** How long an invitation link works unless the caller says otherwise: a week, ms. */
export const INVITATION_TTL_MS = 7 * 24 * 3_600_000;

const digest = (token: string) => createHash("sha256").update(token).digest("base64url");

/** A pending invitation as the course's settings list it. */
export interface PendingInvitation {
  id: string;
  email: string;
  invitedBy: string;
  createdAt: number;
  expiresAt: number;
}

/** Where an invitation stands: only `pending` can be accepted. */
export type InvitationState = "pending" | "accepted" | "revoked" | "expired";

function stateOf(row: { accepted_at: number | null; revoked_at: number | null; expires_at: number }, now: number): InvitationState {
  if (row.accepted_at !== null) return "accepted";
  if (row.revoked_at !== null) return "revoked";
  return Number(row.expires_at) <= now ? "expired" : "pending";
}

/**
 * Invites `email` to co-teach a course, for `ttlMs`. Returns the link's token once (only its digest
 * is stored). An earlier pending invitation of the same address to the same course is revoked, so
 * one link at a time works. Refused when the address already teaches the course.
 */
export async function createInvitation(
  db: Db,
  input: { courseId: string; email: string; invitedBy: string; now: number; ttlMs?: number },
): Promise<{ token: string; invitation: PendingInvitation }> {
  const email = normalizeEmail(input.email);
  const teaching = await db.kysely
    .selectFrom("enrollments")
    .innerJoin("users", "users.id", "enrollments.user_id")
    .select("users.id")
    .where("enrollments.course_id", "=", input.courseId)
    .where("enrollments.role", "=", "instructor")
    .where("users.email", "=", email)
    .executeTakeFirst();
  if (teaching) throw new PreconditionError(`${email} already teaches this course`);
  const token = randomBytes(32).toString("base64url");
  const row = {
    id: randomUUID(),
    course_id: input.courseId,
    email,
    token_hash: digest(token),
    invited_by: input.invitedBy,
    created_at: input.now,
    expires_at: input.now + (input.ttlMs ?? INVITATION_TTL_MS),
    accepted_at: null,
    accepted_by: null,
    revoked_at: null,
  };
  await writeTx(db, async (q) => {
    await q
      .updateTable("course_invitations")
      .set({ revoked_at: input.now })
      .where("course_id", "=", input.courseId)
      .where("email", "=", email)
      .where("accepted_at", "is", null)
      .where("revoked_at", "is", null)
      .execute();
    await q.insertInto("course_invitations").values(row).execute();
  });
  const inviter = await db.kysely.selectFrom("users").select("email").where("id", "=", input.invitedBy).executeTakeFirst();
  return {
    token,
    invitation: { id: row.id, email, invitedBy: inviter?.email ?? "", createdAt: row.created_at, expiresAt: row.expires_at },
  };
}

/** A course's invitations that can still be accepted, oldest first. */
export async function pendingInvitations(db: Db, courseId: string, now: number): Promise<PendingInvitation[]> {
  const rows = await db.kysely
    .selectFrom("course_invitations")
    .innerJoin("users", "users.id", "course_invitations.invited_by")
    .select([
      "course_invitations.id",
      "course_invitations.email",
      "users.email as invitedBy",
      "course_invitations.created_at",
      "course_invitations.expires_at",
    ])
    .where("course_invitations.course_id", "=", courseId)
    .where("course_invitations.accepted_at", "is", null)
    .where("course_invitations.revoked_at", "is", null)
    .where("course_invitations.expires_at", ">", now)
    .orderBy("course_invitations.created_at", "asc")
    .orderBy("course_invitations.id", "asc")
    .execute();
  return rows.map((r) => ({
    id: r.id,
    email: r.email,
    invitedBy: r.invitedBy,
    createdAt: Number(r.created_at),
    expiresAt: Number(r.expires_at),
  }));
}

/** Revokes a pending invitation of the course; its link stops working at once. */
export async function revokeInvitation(db: Db, input: { courseId: string; invitationId: string; now: number }): Promise<void> {
  const result = await db.kysely
    .updateTable("course_invitations")
    .set({ revoked_at: input.now })
    .where("id", "=", input.invitationId)
    .where("course_id", "=", input.courseId)
    .where("accepted_at", "is", null)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) throw new NotFoundError(`This course has no pending invitation "${input.invitationId}"`);
}

const REFUSAL: Record<Exclude<InvitationState, "pending">, string> = {
  accepted: "This invitation has been accepted already.",
  revoked: "This invitation was withdrawn by the course's instructors.",
  expired: "This invitation has expired; ask the course's instructors for a new one.",
};

/**
 * What the invitation page shows the signed-in holder of a link, with why it can no longer be accepted
 * (the words `acceptInvitation` refuses with); null for a token that was never issued.
 */
export async function invitationByToken(
  db: Db,
  token: string,
  now: number,
): Promise<{ courseId: string; courseTitle: string; email: string; state: InvitationState; refusal: string | null } | null> {
  const row = await db.kysely
    .selectFrom("course_invitations")
    .innerJoin("courses", "courses.id", "course_invitations.course_id")
    .select([
      "course_invitations.course_id",
      "courses.title",
      "course_invitations.email",
      "course_invitations.accepted_at",
      "course_invitations.revoked_at",
      "course_invitations.expires_at",
    ])
    .where("course_invitations.token_hash", "=", digest(token))
    .executeTakeFirst();
  if (!row) return null;
  const state = stateOf(row, now);
  return { courseId: row.course_id, courseTitle: row.title, email: row.email, state, refusal: state === "pending" ? null : REFUSAL[state] };
}

/**
 * Accepts an invitation as the signed-in `userId`: only the account whose e-mail it was sent to, with
 * an instructor or admin role, while it is pending. In one transaction the invitation is used up (a
 * second accept, concurrent or later, finds it accepted) and the user becomes an instructor of the
 * course (a student enrollment is promoted).
 */
export async function acceptInvitation(
  db: Db,
  input: { token: string; userId: string; now: number },
): Promise<CourseMember & { courseId: string }> {
  const user = await db.kysely
    .selectFrom("users")
    .select(["id", "email", "name", "role"])
    .where("id", "=", input.userId)
    .executeTakeFirst();
  if (!user) throw new NotFoundError(`No user with id "${input.userId}"`);
  return writeTx(db, async (q) => {
    const row = await q
      .selectFrom("course_invitations")
      .selectAll()
      .where("token_hash", "=", digest(input.token))
      .$if(db.dialect === "postgres", (qb) => qb.forUpdate())
      .executeTakeFirst();
    if (!row) throw new NotFoundError("This invitation link is not valid: it was copied incompletely or never issued.");
    const state = stateOf(row, input.now);
    if (state !== "pending") throw new PreconditionError(REFUSAL[state]);
    if (normalizeEmail(user.email) !== row.email)
      throw new ForbiddenError(`This invitation was sent to another e-mail address; sign in as ${row.email} to accept it.`);
    if (user.role === "student")
      throw new PreconditionError(`${user.email} has a student account; only an instructor or admin account can teach a course`);
    const used = await q
      .updateTable("course_invitations")
      .set({ accepted_at: input.now, accepted_by: user.id })
      .where("id", "=", row.id)
      .where("accepted_at", "is", null)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    if (Number(used.numUpdatedRows) === 0) throw new PreconditionError(REFUSAL.accepted);
    await q
      .insertInto("enrollments")
      .values({ course_id: row.course_id, user_id: user.id, role: "instructor", created_at: input.now })
      .onConflict((oc) => oc.columns(["course_id", "user_id"]).doUpdateSet({ role: "instructor" }))
      .execute();
    return { courseId: row.course_id, userId: user.id, email: user.email, name: user.name, role: "instructor", since: input.now };
  });
}
