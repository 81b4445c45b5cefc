import { applyRoster, platformById, type RosterResult, syncableContexts } from "@stepwise/db/lti";
import { fetchMembers, mapRoles } from "@stepwise/lti";
import { registrationOf, type ServiceDeps } from "./deps";

/** Rosters are synced again once they are this old (the daily sync). */
export const ROSTER_SYNC_EVERY_MS = 24 * 3_600_000;

/**
 * Pulls each connected LMS course's roster (NRPS) and applies it: on demand for one course, or for
 * every roster older than a day. Teaching assistants and other teaching roles become instructors.
 */
export async function syncRosters(
  deps: ServiceDeps,
  input: { courseId?: string; onlyStale?: boolean } = {},
): Promise<Array<RosterResult & { courseId: string; contextId: string }>> {
  const now = deps.clock();
  const contexts = await syncableContexts(deps.db, {
    ...(input.courseId === undefined ? {} : { courseId: input.courseId }),
    ...(input.onlyStale ? { staleBefore: now - ROSTER_SYNC_EVERY_MS } : {}),
  });
  const results = [];
  for (const context of contexts) {
    const platform = await platformById(deps.db, context.platformId);
    const members = await fetchMembers(deps, registrationOf(platform), context.membershipsUrl);
    const result = await applyRoster(deps.db, {
      platform,
      contextId: context.contextId,
      now,
      members: members.map((m) => ({
        sub: m.user_id,
        name: m.name ?? ([m.given_name, m.family_name].filter(Boolean).join(" ") || "LMS user"),
        email: m.email ?? null,
        role: mapRoles(m.roles),
        active: m.status === "Active",
      })),
    });
    results.push({ ...result, courseId: context.courseId, contextId: context.contextId });
  }
  return results;
}
