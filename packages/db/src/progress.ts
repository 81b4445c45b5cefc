import { NotFoundError, ProgressEvent } from "@stepwise/core/contracts";
import { type Kysely, sql } from "kysely";
import { type Db, writeTx } from "./connection";
import { parseJson } from "./rows";

import type { Database } from "./schema";

/** PostgreSQL channel notified (payload: job id) on progress, completion, failure and cancel. */
export const JOB_CHANNEL = "stepwise_jobs";

/** Wakes the job's watchers on PostgreSQL (SQLite watchers poll). */
export async function notifyJob(q: Kysely<Database>, db: Db, jobId: string): Promise<void> {
  if (db.dialect === "postgres") await sql`select pg_notify(${JOB_CHANNEL}, ${jobId})`.execute(q);
}

export const DEFAULT_LOG_CAP_BYTES = 1024 * 1024;

// On PostgreSQL, lock the job row so appends to one job serialize (seq = max + 1 stays unique);
// SQLite's BEGIN IMMEDIATE already serializes all writers.
async function lockJob(q: Kysely<Database>, db: Db, jobId: string): Promise<void> {
  let select = q.selectFrom("jobs").select("id").where("id", "=", jobId);
  if (db.dialect === "postgres") select = select.forUpdate();
  if (!(await select.executeTakeFirst())) throw new NotFoundError(`Job ${jobId} does not exist`);
}

/** Stores a progress event and returns its sequence number (1, 2, 3… per job). */
export async function appendProgress(db: Db, jobId: string, event: ProgressEvent, now: number): Promise<number> {
  const parsed = ProgressEvent.parse(event);
  return writeTx(db, async (q) => {
    await lockJob(q, db, jobId);
    const { last } = await q
      .selectFrom("job_progress")
      .select((eb) => eb.fn.coalesce(eb.fn.max("seq"), sql<number>`0`).as("last"))
      .where("job_id", "=", jobId)
      .executeTakeFirstOrThrow();
    const seq = Number(last) + 1;
    await q
      .insertInto("job_progress")
      .values({ job_id: jobId, seq, event: JSON.stringify(parsed), at: now })
      .execute();
    await notifyJob(q, db, jobId);
    return seq;
  });
}

/** Events with seq > afterSeq, in order: poll with the last seq seen (0 at first). */
export async function progressSince(
  db: Db,
  jobId: string,
  afterSeq: number,
): Promise<Array<{ seq: number; event: ProgressEvent; at: number }>> {
  const rows = await db.kysely
    .selectFrom("job_progress")
    .select(["seq", "event", "at"])
    .where("job_id", "=", jobId)
    .where("seq", ">", afterSeq)
    .orderBy("seq", "asc")
    .execute();
  return rows.map((row) => ({
    seq: row.seq,
    event: parseJson(ProgressEvent, row.event, `progress event ${row.seq} of job ${jobId}`),
    at: row.at,
  }));
}

/** Cuts UTF-8 text to at most maxBytes without splitting a character. */
function truncateUtf8(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length <= maxBytes) return text;
  return bytes
    .subarray(0, Math.max(0, maxBytes))
    .toString("utf8")
    .replace(/\uFFFD+$/, "");
}

/**
 * Appends to a job's log, keeping at most capBytes of it (UTF-8). The first append that would
 * overflow stores what fits plus a one-line marker; later appends are dropped, so a chatty or
 * hostile training run cannot fill the disk.
 */
export async function appendLog(db: Db, jobId: string, text: string, capBytes: number = DEFAULT_LOG_CAP_BYTES): Promise<void> {
  if (text.length === 0) return;
  await writeTx(db, async (q) => {
    await lockJob(q, db, jobId);
    const current = await q.selectFrom("job_logs").selectAll().where("job_id", "=", jobId).executeTakeFirst();
    if (current?.truncated) return;
    const used = current?.bytes ?? 0;
    const incoming = Buffer.byteLength(text, "utf8");
    let next = (current?.text ?? "") + text;
    let truncated = 0;
    if (used + incoming > capBytes) {
      next = (current?.text ?? "") + truncateUtf8(text, capBytes - used) + `\n[log truncated at ${capBytes} bytes]\n`;
      truncated = 1;
    }
    const row = { job_id: jobId, text: next, bytes: Buffer.byteLength(next, "utf8"), truncated };
    await q
      .insertInto("job_logs")
      .values(row)
      .onConflict((oc) => oc.column("job_id").doUpdateSet({ text: row.text, bytes: row.bytes, truncated: row.truncated }))
      .execute();
  });
}

export async function jobLog(db: Db, jobId: string): Promise<string> {
  const row = await db.kysely.selectFrom("job_logs").select("text").where("job_id", "=", jobId).executeTakeFirst();
  return row?.text ?? "";
}
