import { ForbiddenError, NotFoundError, PreconditionError } from "@stepwise/core/contracts";
import { describe, expect, it } from "vitest";
import {
  acceptInvitation,
  type User,
  createCourse,
  createInvitation,
  enroll,
  invitationByToken,
  membership,
  pendingInvitations,
  revokeInvitation,
} from "../src/index";
import { testDialects, createTestUser } from "../src/testing";
import { useTestDb } from "./helpers";

const HOUR = 3_600_000;

describe.each(testDialects)("co-teaching invitations on %s", (dialect) => {
  // One database and one set of users for the block (migrating and hashing passwords are the slow
  // parts); each test has its own course.
  const t = useTestDb(dialect, "all");
  let users: Record<"lead" | "invitee" | "stranger" | "learner", User> | undefined;

  async function setup() {
    const { db } = t();
    const mk = (name: string, role: "student" | "instructor") =>
      createTestUser(db, { email: `${name}@example.test`, name, role, password: "pw" }, 1);
    users ??= {
      lead: await mk("lead", "instructor"),
      invitee: await mk("invitee", "instructor"),
      stranger: await mk("stranger", "instructor"),
      learner: await mk("learner", "student"),
    };
    const { lead, invitee, stranger, learner } = users;
    const course = await createCourse(db, { title: "Team" }, 1);
    await enroll(db, { courseId: course.id, userId: lead.id, role: "instructor" }, 2);
    const invite = (email = " INVITEE@example.test ", now = 10) =>
      createInvitation(db, { courseId: course.id, email, invitedBy: lead.id, now, ttlMs: HOUR });
    return { db, lead, invitee, stranger, learner, course, invite };
  }

  it("gives access only once the invitee accepts, and lists the invitation as pending until then", async () => {
    const { db, invitee, lead, course, invite } = await setup();
    const { token, invitation } = await invite();
    expect(invitation).toMatchObject({ email: invitee.email, invitedBy: lead.email, expiresAt: 10 + HOUR });
    expect(await membership(db, course.id, invitee.id)).toBeNull();
    expect((await pendingInvitations(db, course.id, 20)).map((i) => i.email)).toEqual([invitee.email]);
    expect(await invitationByToken(db, token, 20)).toEqual({
      courseId: course.id,
      courseTitle: "Team",
      email: invitee.email,
      state: "pending",
      refusal: null,
    });
    // Only the digest is stored.
    expect(JSON.stringify(await db.kysely.selectFrom("course_invitations").selectAll().execute())).not.toContain(token);

    await expect(acceptInvitation(db, { token, userId: invitee.id, now: 30 })).resolves.toMatchObject({
      courseId: course.id,
      userId: invitee.id,
      role: "instructor",
    });
    expect(await membership(db, course.id, invitee.id)).toBe("instructor");
    expect(await pendingInvitations(db, course.id, 40)).toEqual([]);
    expect((await invitationByToken(db, token, 40))?.state).toBe("accepted");
  });

  it("promotes an invitee who had joined the course as a student", async () => {
    const { db, invitee, course, invite } = await setup();
    await enroll(db, { courseId: course.id, userId: invitee.id, role: "student" }, 5);
    const { token } = await invite();
    await acceptInvitation(db, { token, userId: invitee.id, now: 30 });
    expect(await membership(db, course.id, invitee.id)).toBe("instructor");
  });

  it.each<[string, (s: Awaited<ReturnType<typeof setup>>, token: string) => Promise<unknown>, new (...args: never[]) => Error, RegExp]>([
    [
      "another signed-in instructor",
      (s, token) => acceptInvitation(s.db, { token, userId: s.stranger.id, now: 30 }),
      ForbiddenError,
      /sent to another e-mail address; sign in as invitee@example.test/,
    ],
    [
      "after it expired",
      (s, token) => acceptInvitation(s.db, { token, userId: s.invitee.id, now: 10 + HOUR }),
      PreconditionError,
      /has expired/,
    ],
    [
      "after it was revoked",
      async (s, token) => {
        const [pending] = await pendingInvitations(s.db, s.course.id, 20);
        await revokeInvitation(s.db, { courseId: s.course.id, invitationId: pending?.id ?? "", now: 20 });
        return acceptInvitation(s.db, { token, userId: s.invitee.id, now: 30 });
      },
      PreconditionError,
      /withdrawn/,
    ],
    [
      "a second time",
      async (s, token) => {
        await acceptInvitation(s.db, { token, userId: s.invitee.id, now: 30 });
        return acceptInvitation(s.db, { token, userId: s.invitee.id, now: 31 });
      },
      PreconditionError,
      /accepted already/,
    ],
    [
      "with a token never issued",
      (s, token) => acceptInvitation(s.db, { token: `${token}x`, userId: s.invitee.id, now: 30 }),
      NotFoundError,
      /not valid/,
    ],
    [
      "through an older link once a newer one was sent",
      async (s, token) => {
        await s.invite(undefined, 15);
        return acceptInvitation(s.db, { token, userId: s.invitee.id, now: 30 });
      },
      PreconditionError,
      /withdrawn/,
    ],
  ])("refuses %s", async (_case, act, error, message) => {
    const s = await setup();
    const { token } = await s.invite();
    const attempt = act(s, token);
    await expect(attempt).rejects.toThrow(error);
    await expect(attempt).rejects.toThrow(message);
    // Whatever the refusal, the stranger gained nothing and the course's instructors are unchanged.
    expect(await membership(s.db, s.course.id, s.stranger.id)).toBeNull();
  });

  it("lets two concurrent accepts of one link have a single winner", async () => {
    const { db, invitee, course, invite } = await setup();
    const { token } = await invite();
    const results = await Promise.allSettled([
      acceptInvitation(db, { token, userId: invitee.id, now: 30 }),
      acceptInvitation(db, { token, userId: invitee.id, now: 30 }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
    expect(await membership(db, course.id, invitee.id)).toBe("instructor");
  });

  it("refuses a student account, an address already teaching, and revoking what is not pending in this course", async () => {
    const { db, lead, learner, course, invite } = await setup();
    const { token } = await invite(learner.email);
    await expect(acceptInvitation(db, { token, userId: learner.id, now: 30 })).rejects.toThrow(/student account/);
    expect(await membership(db, course.id, learner.id)).toBeNull();
    await expect(invite(lead.email)).rejects.toThrow(/already teaches this course/);
    const other = await createCourse(db, { title: "Other" }, 1);
    const [pending] = await pendingInvitations(db, course.id, 20);
    await expect(revokeInvitation(db, { courseId: other.id, invitationId: pending?.id ?? "", now: 20 })).rejects.toThrow(NotFoundError);
    await revokeInvitation(db, { courseId: course.id, invitationId: pending?.id ?? "", now: 20 });
    await expect(revokeInvitation(db, { courseId: course.id, invitationId: pending?.id ?? "", now: 21 })).rejects.toThrow(NotFoundError);
  });
});
