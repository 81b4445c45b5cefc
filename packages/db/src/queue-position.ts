import { type SelectQueryBuilder, sql } from "kysely";
import type { Db } from "./connection";
import type { Database } from "./schema";

/**
 * The claim order `claimJob` takes jobs in: lowest priority first; within a priority, the student
 * with the fewest running jobs, then the student claimed for least recently (round-robin; never
 * claimed counts as longest ago), then that student's oldest job.
 */
export function claimOrder<O>(
  query: SelectQueryBuilder<Database, "jobs" | "submissions", O>,
): SelectQueryBuilder<Database, "jobs" | "submissions", O> {
  return query
    .orderBy("jobs.priority", "asc")
    .orderBy(
      sql`(select count(*) from jobs as r inner join submissions as rs on rs.id = r.submission_id where r.status = 'running' and rs.user_id = submissions.user_id)`,
    )
    .orderBy(
      sql`(select coalesce(max(c.started_at), -1) from jobs as c inner join submissions as cs on cs.id = c.submission_id where cs.user_id = submissions.user_id)`,
    )
    .orderBy("jobs.created_at", "asc")
    .orderBy("jobs.seq", "asc");
}

export interface QueuedJob {
  id: string;
  userId: string;
  priority: number;
  createdAt: number;
  seq: number;
}

/**
 * The queued jobs in the order `claimJob` would take them if each claimed job ended before the next
 * claim (one grader): per priority, round-robin over students, each time the student claimed for least
 * recently (`lastClaim`, ms; absent = never), that student's oldest job.
 */
export function fairOrder(jobs: readonly QueuedJob[], lastClaim: ReadonlyMap<string, number>): string[] {
  const older = (a: QueuedJob, b: QueuedJob) => a.createdAt - b.createdAt || a.seq - b.seq;
  const claimed = new Map(lastClaim);
  // Simulated claims come after every real one.
  let tick = [...claimed.values(), ...jobs.map((j) => j.createdAt)].reduce((max, t) => Math.max(max, t), 0) + 1;
  const order: string[] = [];
  for (const priority of [...new Set(jobs.map((j) => j.priority))].sort((a, b) => a - b)) {
    const lanes = new Map<string, QueuedJob[]>();
    for (const job of jobs.filter((j) => j.priority === priority).sort(older)) {
      const lane = lanes.get(job.userId);
      if (lane) lane.push(job);
      else lanes.set(job.userId, [job]);
    }
    for (;;) {
      let next: QueuedJob | undefined;
      for (const lane of lanes.values()) {
        const head = lane[0];
        if (!head) continue;
        const headClaim = claimed.get(head.userId) ?? -1;
        const nextClaim = next ? (claimed.get(next.userId) ?? -1) : 0;
        if (!next || headClaim < nextClaim || (headClaim === nextClaim && older(head, next) < 0)) next = head;
      }
      if (!next) break;
      lanes.get(next.userId)?.shift();
      claimed.set(next.userId, tick++);
      order.push(next.id);
    }
  }
  return order;
}

/**
 * Time until a job `ahead` places back in line is claimed, ms: `slots` graders, each busy for the
 * `remaining` ms of its running job (none: free now), then `typicalMs` per job ahead, each taken by
 * the grader that frees first.
 */
export function estimateWaitMs(input: { ahead: number; remaining: readonly number[]; typicalMs: number }): number {
  const free = input.remaining.length > 0 ? input.remaining.map((ms) => Math.max(0, ms)) : [0];
  for (let i = 0; i < input.ahead; i++) {
    const first = free.indexOf(Math.min(...free));
    free[first] = (free[first] ?? 0) + input.typicalMs;
  }
  return Math.min(...free);
}

/** Finished jobs whose durations make the typical job length. */
const RECENT_JOBS = 20;

export interface QueueStanding {
  /** Jobs claimed before this one under fair claiming (0 = next). Ignores backoff delays. */
  position: number;
  /** Estimated time until a grader claims it, ms; null until some job has finished to measure by. */
  estimatedWaitMs: number | null;
}

/** Every queued job's id in fair claim order (the next to be claimed first). Ignores backoff delays. */
export async function claimQueue(db: Db): Promise<string[]> {
  const queued = await db.kysely
    .selectFrom("jobs")
    .innerJoin("submissions", "submissions.id", "jobs.submission_id")
    .select(["jobs.id", "jobs.priority", "jobs.created_at", "jobs.seq", "submissions.user_id"])
    .where("jobs.status", "=", "queued")
    .execute();
  if (queued.length === 0) return [];
  const users = [...new Set(queued.map((j) => j.user_id))];
  const claims = await db.kysely
    .selectFrom("jobs")
    .innerJoin("submissions", "submissions.id", "jobs.submission_id")
    .select((eb) => ["submissions.user_id", eb.fn.max("jobs.started_at").as("last")])
    .where("submissions.user_id", "in", users)
    .where("jobs.started_at", "is not", null)
    .groupBy("submissions.user_id")
    .execute();
  const lastClaim = new Map(claims.map((c) => [c.user_id, Number(c.last)]));
  const jobs = queued.map((j) => ({
    id: j.id,
    userId: j.user_id,
    priority: j.priority,
    createdAt: Number(j.created_at),
    seq: Number(j.seq),
  }));
  return fairOrder(jobs, lastClaim);
}

/** Jobs ahead of this one in fair claim order (0 = next to run); null unless it is queued. Ignores backoff delays. */
export async function queuePosition(db: Db, jobId: string): Promise<number | null> {
  const self = await db.kysely.selectFrom("jobs").select("status").where("id", "=", jobId).executeTakeFirst();
  if (self?.status !== "queued") return null;
  const position = (await claimQueue(db)).indexOf(jobId);
  // Claimed between the two reads: no longer in line.
  return position < 0 ? null : position;
}

/** Where a queued job stands: its place in the fair claim order and the estimated wait. Null unless it is queued. */
export async function queueStanding(db: Db, jobId: string, now: number): Promise<QueueStanding | null> {
  const position = await queuePosition(db, jobId);
  if (position === null) return null;
  const recent = await db.kysely
    .selectFrom("jobs")
    .select(["started_at", "finished_at"])
    .where("status", "=", "done")
    .where("started_at", "is not", null)
    .orderBy("finished_at", "desc")
    .limit(RECENT_JOBS)
    .execute();
  const durations = recent
    .map((r) => Number(r.finished_at) - Number(r.started_at))
    .filter((ms) => Number.isFinite(ms) && ms >= 0)
    .sort((a, b) => a - b);
  const typicalMs = durations[Math.floor(durations.length / 2)];
  if (typicalMs === undefined) return { position, estimatedWaitMs: null };
  const running = await db.kysely.selectFrom("jobs").select("started_at").where("status", "=", "running").execute();
  const remaining = running.map((r) => typicalMs - (now - Number(r.started_at ?? now)));
  return { position, estimatedWaitMs: estimateWaitMs({ ahead: position, remaining, typicalMs }) };
}
