import { ValidationError } from "@stepwise/core/contracts";
import type { Db } from "./connection";

/**
 * A student's unsubmitted work on an assignment, kept on the server so a reload or another device
 * opens where they left off. One draft per student and assignment; saving replaces it (the last
 * save wins). The content is any JSON value: its shape belongs to the web app, which validates it
 * on the way in and on the way out.
 */

/** Largest draft stored, in bytes of its JSON (UTF-8): room for long model code or a model JSON, not for data. */
export const DRAFT_MAX_BYTES = 256 * 1024;

export interface DraftKey {
  userId: string;
  assignmentId: string;
}

export interface Draft extends DraftKey {
  content: unknown;
  updatedAt: number;
}

/** The JSON text of `content`, refused past `DRAFT_MAX_BYTES` with the size it has and the size allowed. */
function draftJson(content: unknown): string {
  const text = JSON.stringify(content);
  if (text === undefined) throw new ValidationError("A draft must be a JSON value, got undefined", "content");
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > DRAFT_MAX_BYTES) {
    throw new ValidationError(
      `A draft may hold at most ${DRAFT_MAX_BYTES / 1024} KiB of JSON, got ${(bytes / 1024).toFixed(1)} KiB; shorten the model code or upload a smaller model file`,
      "content",
    );
  }
  return text;
}

/** Stores the student's draft for the assignment, replacing any earlier one. */
export async function saveDraft(db: Db, key: DraftKey, content: unknown, now: number): Promise<Draft> {
  const text = draftJson(content);
  await db.kysely
    .insertInto("drafts")
    .values({ user_id: key.userId, assignment_id: key.assignmentId, content: text, updated_at: now })
    .onConflict((oc) => oc.columns(["user_id", "assignment_id"]).doUpdateSet({ content: text, updated_at: now }))
    .execute();
  return { ...key, content: JSON.parse(text) as unknown, updatedAt: now };
}

/** The student's draft for the assignment, or null. A row that is not JSON reads as no draft: an unreadable draft must not block the page. */
export async function draftFor(db: Db, key: DraftKey): Promise<Draft | null> {
  const row = await db.kysely
    .selectFrom("drafts")
    .select(["content", "updated_at"])
    .where("user_id", "=", key.userId)
    .where("assignment_id", "=", key.assignmentId)
    .executeTakeFirst();
  if (!row) return null;
  let content: unknown;
  try {
    content = JSON.parse(row.content);
  } catch {
    return null;
  }
  return { ...key, content, updatedAt: Number(row.updated_at) };
}

/** Removes the student's draft for the assignment; true when there was one. */
export async function deleteDraft(db: Db, key: DraftKey): Promise<boolean> {
  const result = await db.kysely
    .deleteFrom("drafts")
    .where("user_id", "=", key.userId)
    .where("assignment_id", "=", key.assignmentId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
