import { SubmissionPayload } from "@stepwise/core/contracts";
import type { Db } from "./connection";
import { submissionFingerprint } from "./fingerprint";
import { parseJson } from "./rows";

/** Students of one assignment whose submissions share a fingerprint: identical model and training settings. */
export interface IdenticalGroup {
  assignmentId: string;
  fingerprint: string;
  /** The students, each with their submissions carrying this fingerprint (oldest first). */
  members: Array<{ userId: string; submissionIds: string[]; firstAt: number }>;
}

/**
 * Fingerprints the listed assignments' submissions stored before fingerprints existed (once: the
 * result is written back; "" for a submission without a model), so old work is compared too.
 */
async function fingerprintMissing(db: Db, assignmentIds: readonly string[]): Promise<void> {
  const missing = await db.kysely
    .selectFrom("submissions")
    .select(["id", "payload"])
    .where("assignment_id", "in", assignmentIds)
    .where("fingerprint", "is", null)
    .execute();
  for (const row of missing) {
    const payload = parseJson(SubmissionPayload, row.payload, `payload of submission ${row.id}`);
    await db.kysely
      .updateTable("submissions")
      .set({ fingerprint: submissionFingerprint(payload) ?? "" })
      .where("id", "=", row.id)
      .execute();
  }
}

/**
 * Groups of two or more students who submitted the same fingerprint to one of the listed assignments,
 * largest group first. A student's own resubmission of the same model is no group.
 */
export async function identicalWork(db: Db, assignmentIds: readonly string[]): Promise<IdenticalGroup[]> {
  if (assignmentIds.length === 0) return [];
  await fingerprintMissing(db, assignmentIds);
  const rows = await db.kysely
    .selectFrom("submissions")
    .select(["id", "assignment_id", "user_id", "fingerprint", "created_at"])
    .where("assignment_id", "in", assignmentIds)
    .where("fingerprint", "is not", null)
    .where("fingerprint", "!=", "")
    .orderBy("created_at", "asc")
    .orderBy("id", "asc")
    .execute();
  const groups = new Map<string, IdenticalGroup>();
  for (const row of rows) {
    const fingerprint = row.fingerprint ?? "";
    const key = `${row.assignment_id}\u0000${fingerprint}`;
    const group = groups.get(key) ?? { assignmentId: row.assignment_id, fingerprint, members: [] };
    groups.set(key, group);
    const member = group.members.find((m) => m.userId === row.user_id);
    if (member) member.submissionIds.push(row.id);
    else group.members.push({ userId: row.user_id, submissionIds: [row.id], firstAt: Number(row.created_at) });
  }
  return [...groups.values()]
    .filter((g) => g.members.length > 1)
    .sort((a, b) => b.members.length - a.members.length || a.fingerprint.localeCompare(b.fingerprint));
}
