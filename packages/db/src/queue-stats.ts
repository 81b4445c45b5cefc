/** What the queue holds, for operators and authorization: job lists, counts per status, a job's course. */
import type { JobStatus } from "@stepwise/core/contracts";
import type { Db } from "./connection";
import { type JobRow, toJob } from "./rows";

export async function listJobs(
  db: Db,
  input: { status?: JobStatus; limit?: number } = {},
): Promise<Array<JobRow & { verdictStatus: string | null }>> {
  let query = db.kysely
    .selectFrom("jobs")
    .leftJoin("verdicts", "verdicts.job_id", "jobs.id")
    .selectAll("jobs")
    .select("verdicts.status as verdict_status")
    .orderBy("jobs.created_at", "desc")
    .orderBy("jobs.seq", "desc")
    .limit(Math.min(Math.max(1, input.limit ?? 100), 1000));
  if (input.status !== undefined) query = query.where("jobs.status", "=", input.status);
  const rows = await query.execute();
  return rows.map((row) => ({ ...toJob(row), verdictStatus: row.verdict_status }));
}

export async function queueStats(db: Db): Promise<Record<JobStatus, number>> {
  const rows = await db.kysely
    .selectFrom("jobs")
    .select((eb) => ["status", eb.fn.countAll<number>().as("count")])
    .groupBy("status")
    .execute();
  const stats: Record<JobStatus, number> = { queued: 0, running: 0, done: 0, dead: 0, cancelled: 0 };
  for (const row of rows) if (row.status in stats) stats[row.status as JobStatus] = Number(row.count);
  return stats;
}

/** Jobs with the course each belongs to, through its submission's assignment. */
const jobsWithCourse = (db: Db) =>
  db.kysely
    .selectFrom("jobs")
    .innerJoin("submissions", "submissions.id", "jobs.submission_id")
    .innerJoin("assignments", "assignments.id", "submissions.assignment_id");

/** The course a job belongs to (through its submission's assignment), for authorization; null if no such job. */
export async function courseOfJob(db: Db, jobId: string): Promise<string | null> {
  const row = await jobsWithCourse(db).select("assignments.course_id").where("jobs.id", "=", jobId).executeTakeFirst();
  return row?.course_id ?? null;
}

/** The ids of a course's queued and running jobs (gradings, experiments, tuning searches), oldest first. */
export async function openJobsOfCourse(db: Db, courseId: string): Promise<string[]> {
  const rows = await jobsWithCourse(db)
    .select("jobs.id")
    .where("assignments.course_id", "=", courseId)
    .where("jobs.status", "in", ["queued", "running"])
    .orderBy("jobs.seq")
    .execute();
  return rows.map((row) => row.id);
}
