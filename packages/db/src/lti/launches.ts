import { createHash, randomBytes } from "node:crypto";
import { PreconditionError } from "@stepwise/core/contracts";
import { z } from "zod";
import type { Db } from "../connection";
import type { CourseRole } from "../course-members";
import { createCourse } from "../courses";
import { linkMember, type LmsMember } from "./members";
import type { LtiPlatform } from "./platforms";

/** Stores a login in flight; `state` and `nonce` are single use and short-lived. */
export async function createLoginState(
  db: Db,
  input: { platformId: string; state: string; nonce: string; now: number; ttlMs: number },
): Promise<void> {
  await db.kysely.deleteFrom("lti_states").where("expires_at", "<", input.now).execute();
  await db.kysely
    .insertInto("lti_states")
    .values({ state: input.state, nonce: input.nonce, platform_id: input.platformId, expires_at: input.now + input.ttlMs })
    .execute();
}

/**
 * Takes a login state out of the store: the first caller gets it, any later one (a replayed form
 * post) gets null, as does an expired or unknown state.
 */
export async function consumeLoginState(
  db: Db,
  input: { state: string; now: number },
): Promise<{ platformId: string; nonce: string } | null> {
  const row = await db.kysely
    .deleteFrom("lti_states")
    .where("state", "=", input.state)
    .returning(["platform_id", "nonce", "expires_at"])
    .executeTakeFirst();
  if (!row || Number(row.expires_at) < input.now) return null;
  return { platformId: row.platform_id, nonce: row.nonce };
}

const hash = (token: string) => createHash("sha256").update(token).digest("hex");

/** A session hand-over, a deep-linking picker, or an instructor's dynamic-registration link. */
export type LaunchTokenKind = "session" | "deep_link" | "registration";

/** A one-time token for `userId`, stored only as its hash. */
export async function issueLaunchToken(
  db: Db,
  input: { kind: LaunchTokenKind; userId: string; payload: unknown; now: number; ttlMs: number },
): Promise<string> {
  const token = randomBytes(32).toString("base64url");
  await db.kysely.deleteFrom("lti_launch_tokens").where("expires_at", "<", input.now).execute();
  await db.kysely
    .insertInto("lti_launch_tokens")
    .values({
      token_hash: hash(token),
      kind: input.kind,
      user_id: input.userId,
      payload: JSON.stringify(input.payload),
      expires_at: input.now + input.ttlMs,
    })
    .execute();
  return token;
}

/** Uses a one-time token: its user and payload the first time, null after, when expired, or for another kind. */
export async function consumeLaunchToken(
  db: Db,
  input: { token: string; kind: LaunchTokenKind; now: number },
): Promise<{ userId: string; payload: unknown } | null> {
  const row = await db.kysely
    .deleteFrom("lti_launch_tokens")
    .where("token_hash", "=", hash(input.token))
    .where("kind", "=", input.kind)
    .returning(["user_id", "payload", "expires_at"])
    .executeTakeFirst();
  if (!row || Number(row.expires_at) < input.now) return null;
  return { userId: row.user_id, payload: z.unknown().parse(JSON.parse(row.payload)) };
}

/** What a verified launch tells us, already mapped (roles → course role). */
export interface LaunchFacts {
  platform: LtiPlatform;
  member: LmsMember;
  context: { id: string; title: string; deploymentId: string; membershipsUrl: string | null; lineItemsUrl: string | null };
  resourceLink: { id: string; lineItemUrl: string | null } | null;
  /** The assignment our own signed link token names (deep linking put it in the link's custom claims). */
  linkedAssignment: { id: string; courseId: string } | null;
}

export interface ProvisionedLaunch {
  userId: string;
  courseId: string;
  role: CourseRole;
  assignmentId: string | null;
}

/**
 * Makes a verified launch real: the LMS user's account (created, or found by its link), the LMS
 * course's Stepwise course, the enrolment with the mapped role, and the resource link's assignment.
 * An LMS course not yet connected is connected by an instructor's first launch (a new course named
 * after it) or by a deep-linked assignment; a student cannot connect one.
 */
export async function provisionLaunch(db: Db, facts: LaunchFacts, now: number): Promise<ProvisionedLaunch> {
  const { platform, context } = facts;
  let courseId =
    (await connectedCourse(db, { platformId: platform.id, contextId: context.id })) ?? facts.linkedAssignment?.courseId ?? null;
  if (facts.linkedAssignment && courseId !== facts.linkedAssignment.courseId)
    throw new PreconditionError(
      `This link names an assignment of another Stepwise course than the one "${context.title}" is connected to; add it again through the LMS's tool picker.`,
    );
  if (courseId === null && facts.member.role !== "instructor")
    throw new PreconditionError(
      `"${context.title}" is not connected to Stepwise yet: your instructor connects it by opening Stepwise from the LMS course once.`,
    );
  const userId = await linkMember(db, platform, facts.member, now);
  if (courseId === null) {
    courseId = (await createCourse(db, { title: context.title }, now)).id;
  }
  await connectContext(db, { platformId: platform.id, context, courseId });
  await enrolMember(db, { platformId: platform.id, contextId: context.id, courseId, userId, role: facts.member.role, now });
  let assignmentId: string | null = null;
  if (facts.resourceLink) {
    const link = await db.kysely
      .selectFrom("lti_links")
      .select(["assignment_id", "line_item_url"])
      .where("platform_id", "=", platform.id)
      .where("resource_link_id", "=", facts.resourceLink.id)
      .executeTakeFirst();
    assignmentId = facts.linkedAssignment?.id ?? link?.assignment_id ?? null;
    const lineItem = facts.resourceLink.lineItemUrl ?? link?.line_item_url ?? null;
    await db.kysely
      .insertInto("lti_links")
      .values({
        platform_id: platform.id,
        resource_link_id: facts.resourceLink.id,
        context_id: context.id,
        assignment_id: assignmentId,
        line_item_url: lineItem,
      })
      .onConflict((oc) =>
        oc.columns(["platform_id", "resource_link_id"]).doUpdateSet({ assignment_id: assignmentId, line_item_url: lineItem }),
      )
      .execute();
  }
  return { userId, courseId, role: facts.member.role, assignmentId };
}

/**
 * Enrols an LMS member with their mapped role and records them as active. A promotion (student →
 * instructor, a TA added in the LMS) is applied; a demotion is not, so an instructor who launches
 * in student view keeps teaching.
 */
export async function enrolMember(
  db: Db,
  input: { platformId: string; contextId: string; courseId: string; userId: string; role: CourseRole; now: number },
): Promise<void> {
  await db.kysely
    .insertInto("enrollments")
    .values({ course_id: input.courseId, user_id: input.userId, role: input.role, created_at: input.now })
    .onConflict((oc) => oc.columns(["course_id", "user_id"]).doNothing())
    .execute();
  if (input.role === "instructor")
    await db.kysely
      .updateTable("enrollments")
      .set({ role: "instructor" })
      .where("course_id", "=", input.courseId)
      .where("user_id", "=", input.userId)
      .execute();
  await db.kysely
    .insertInto("lti_members")
    .values({
      platform_id: input.platformId,
      context_id: input.contextId,
      user_id: input.userId,
      role: input.role,
      status: "active",
      updated_at: input.now,
    })
    .onConflict((oc) =>
      oc.columns(["platform_id", "context_id", "user_id"]).doUpdateSet({ role: input.role, status: "active", updated_at: input.now }),
    )
    .execute();
}

/**
 * Connects an LMS course to a Stepwise course, or refreshes what the LMS told us about it (title,
 * service URLs). A context already connected to another course stays where it is: refused.
 */
export async function connectContext(
  db: Db,
  input: { platformId: string; context: LaunchFacts["context"]; courseId: string },
): Promise<void> {
  const { context } = input;
  const bound = await db.kysely
    .selectFrom("lti_contexts")
    .select("course_id")
    .where("platform_id", "=", input.platformId)
    .where("context_id", "=", context.id)
    .executeTakeFirst();
  if (bound && bound.course_id !== input.courseId)
    throw new PreconditionError(`"${context.title}" is already connected to another Stepwise course; pick an assignment of that course.`);
  await db.kysely
    .insertInto("lti_contexts")
    .values({
      platform_id: input.platformId,
      context_id: context.id,
      course_id: input.courseId,
      deployment_id: context.deploymentId,
      title: context.title,
      memberships_url: context.membershipsUrl,
      line_items_url: context.lineItemsUrl,
      synced_at: null,
    })
    .onConflict((oc) =>
      oc.columns(["platform_id", "context_id"]).doUpdateSet({
        title: context.title,
        deployment_id: context.deploymentId,
        memberships_url: context.membershipsUrl,
        line_items_url: context.lineItemsUrl,
      }),
    )
    .execute();
}

/** The Stepwise course an LMS course is connected to, or null. */
export async function connectedCourse(db: Db, input: { platformId: string; contextId: string }): Promise<string | null> {
  const row = await db.kysely
    .selectFrom("lti_contexts")
    .select("course_id")
    .where("platform_id", "=", input.platformId)
    .where("context_id", "=", input.contextId)
    .executeTakeFirst();
  return row?.course_id ?? null;
}
