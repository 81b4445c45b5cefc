import type { Db } from "../connection";
import { enrolMember } from "./launches";
import { linkMember, type LmsMember } from "./members";
import type { LtiPlatform } from "./platforms";

export interface RosterMember extends LmsMember {
  /** NRPS status: anyone not `Active` is treated as dropped. */
  active: boolean;
}

export interface RosterResult {
  /** Members new to the course (accounts created or linked, enrolled). */
  added: number;
  /** Members marked dropped: absent from the roster, or no longer active in it. */
  dropped: number;
  /** Members the course already had, role and activity refreshed. */
  kept: number;
}

/**
 * Applies an LMS roster to the Stepwise course its context is connected to. Active members are
 * enrolled (accounts made as a launch would); members the LMS no longer lists as active are marked
 * `dropped` in `lti_members` and keep their enrolment and work: the gradebook still shows them, and a
 * student re-added in the LMS comes back with everything.
 */
export async function applyRoster(
  db: Db,
  input: { platform: LtiPlatform; contextId: string; members: RosterMember[]; now: number },
): Promise<RosterResult> {
  const context = await db.kysely
    .selectFrom("lti_contexts")
    .select("course_id")
    .where("platform_id", "=", input.platform.id)
    .where("context_id", "=", input.contextId)
    .executeTakeFirstOrThrow();
  const before = await db.kysely
    .selectFrom("lti_members")
    .select(["user_id", "status"])
    .where("platform_id", "=", input.platform.id)
    .where("context_id", "=", input.contextId)
    .execute();
  const known = new Map(before.map((m) => [m.user_id, m.status]));
  const result: RosterResult = { added: 0, dropped: 0, kept: 0 };
  const present = new Set<string>();
  for (const member of input.members) {
    if (!member.active) continue;
    const userId = await linkMember(db, input.platform, member, input.now);
    present.add(userId);
    if (known.get(userId) === "active") result.kept++;
    else result.added++;
    await enrolMember(db, {
      platformId: input.platform.id,
      contextId: input.contextId,
      courseId: context.course_id,
      userId,
      role: member.role,
      now: input.now,
    });
  }
  for (const [userId, status] of known) {
    if (present.has(userId) || status === "dropped") continue;
    await db.kysely
      .updateTable("lti_members")
      .set({ status: "dropped", updated_at: input.now })
      .where("platform_id", "=", input.platform.id)
      .where("context_id", "=", input.contextId)
      .where("user_id", "=", userId)
      .execute();
    result.dropped++;
  }
  await db.kysely
    .updateTable("lti_contexts")
    .set({ synced_at: input.now })
    .where("platform_id", "=", input.platform.id)
    .where("context_id", "=", input.contextId)
    .execute();
  return result;
}

export interface SyncableContext {
  platformId: string;
  contextId: string;
  courseId: string;
  membershipsUrl: string;
  syncedAt: number | null;
}

/** Connected LMS courses with a roster service, of one course or all; `staleBefore` keeps those not synced since. */
export async function syncableContexts(db: Db, input: { courseId?: string; staleBefore?: number } = {}): Promise<SyncableContext[]> {
  let query = db.kysely.selectFrom("lti_contexts").selectAll().where("memberships_url", "is not", null);
  if (input.courseId !== undefined) query = query.where("course_id", "=", input.courseId);
  if (input.staleBefore !== undefined) {
    const before = input.staleBefore;
    query = query.where((eb) => eb.or([eb("synced_at", "is", null), eb("synced_at", "<", before)]));
  }
  const rows = await query.execute();
  return rows.flatMap((r) =>
    r.memberships_url === null
      ? []
      : [
          {
            platformId: r.platform_id,
            contextId: r.context_id,
            courseId: r.course_id,
            membershipsUrl: r.memberships_url,
            syncedAt: r.synced_at === null ? null : Number(r.synced_at),
          },
        ],
  );
}

/** Members of a course the LMS dropped (for the roster view). */
export async function droppedMembers(db: Db, courseId: string): Promise<string[]> {
  const rows = await db.kysely
    .selectFrom("lti_members")
    .innerJoin("lti_contexts", (j) =>
      j.onRef("lti_contexts.platform_id", "=", "lti_members.platform_id").onRef("lti_contexts.context_id", "=", "lti_members.context_id"),
    )
    .select("lti_members.user_id")
    .where("lti_contexts.course_id", "=", courseId)
    .where("lti_members.status", "=", "dropped")
    .execute();
  return rows.map((r) => r.user_id);
}
