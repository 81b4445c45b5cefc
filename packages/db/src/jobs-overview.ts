import { ProgressEvent } from "@stepwise/core/contracts";
import type { Db } from "./connection";
import { claimQueue } from "./queue-position";

/**
 * The live queue as instructors (one course) and operators (every course) see it, on the jobs page
 * and in `stepwise jobs`: one query for both, so the page and the CLI cannot disagree.
 */

/** Who and what a job is about: its submission's student, assignment and course. */
export interface JobSubject {
  jobId: string;
  submissionId: string;
  /** `grade`, `preview` (a regrade being previewed) or `experiment` (a debugging experiment or a tuning search). */
  purpose: string;
  experiment: string | null;
  courseId: string;
  courseTitle: string;
  assignmentId: string;
  assignmentTitle: string;
  userId: string;
  userName: string;
  userEmail: string;
  /** When the job was queued, ms since the epoch. */
  createdAt: number;
}

export interface QueuedEntry extends JobSubject {
  /** Jobs every grader will claim before this one, across all courses (0 = next). */
  position: number;
  waitingMs: number;
}

export interface RunningEntry extends JobSubject {
  workerId: string | null;
  /** What the grader last reported, in words ("epoch 2 of 5"); "preparing" before its first report. */
  phase: string;
  startedAt: number;
  elapsedMs: number;
  attempts: number;
}

/** A dead-lettered job: the grader failed on every attempt. It can be retried. */
export interface DeadLetter extends JobSubject {
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
  finishedAt: number | null;
}

export interface JobsOverview {
  queued: QueuedEntry[];
  running: RunningEntry[];
  /** Newest first, at most `failureLimit`. */
  failures: DeadLetter[];
}

/** A progress event in the words the jobs list shows. */
export function phaseOf(event: ProgressEvent | null): string {
  if (!event) return "preparing";
  switch (event.type) {
    case "started":
      return `starting on ${event.backend}`;
    case "epoch":
      return `epoch ${event.epoch} of ${event.epochs}`;
    case "evaluating":
      return "evaluating on the test set";
    case "run":
      return event.label;
    default:
      return "working";
  }
}

function subjects(db: Db, courseId: string | undefined) {
  let query = db.kysely
    .selectFrom("jobs")
    .innerJoin("submissions", "submissions.id", "jobs.submission_id")
    .innerJoin("assignments", "assignments.id", "submissions.assignment_id")
    .innerJoin("courses", "courses.id", "assignments.course_id")
    .innerJoin("users", "users.id", "submissions.user_id")
    .select([
      "jobs.id as job_id",
      "jobs.submission_id",
      "jobs.purpose",
      "jobs.experiment",
      "jobs.created_at",
      "jobs.started_at",
      "jobs.finished_at",
      "jobs.worker_id",
      "jobs.attempts",
      "jobs.max_attempts",
      "jobs.last_error",
      "courses.id as course_id",
      "courses.title as course_title",
      "assignments.id as assignment_id",
      "assignments.title as assignment_title",
      "users.id as user_id",
      "users.name as user_name",
      "users.email as user_email",
    ]);
  if (courseId !== undefined) query = query.where("assignments.course_id", "=", courseId);
  return query;
}

type SubjectRow = Awaited<ReturnType<ReturnType<typeof subjects>["execute"]>>[number];

function subjectOf(row: SubjectRow): JobSubject {
  return {
    jobId: row.job_id,
    submissionId: row.submission_id,
    purpose: row.purpose,
    experiment: row.experiment,
    courseId: row.course_id,
    courseTitle: row.course_title,
    assignmentId: row.assignment_id,
    assignmentTitle: row.assignment_title,
    userId: row.user_id,
    userName: row.user_name,
    userEmail: row.user_email,
    createdAt: Number(row.created_at),
  };
}

function deadLetterOf(row: SubjectRow): DeadLetter {
  return {
    ...subjectOf(row),
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    lastError: row.last_error,
    finishedAt: row.finished_at === null ? null : Number(row.finished_at),
  };
}

/**
 * Dead-lettered jobs, newest first: of one course, or of all. Previews of a regrade that was applied
 * or discarded are left out: retrying them could change nothing.
 */
export async function deadLetters(db: Db, input: { courseId?: string; limit?: number } = {}): Promise<DeadLetter[]> {
  let query = subjects(db, input.courseId)
    .leftJoin("regrades", "regrades.id", "jobs.regrade_id")
    .where("jobs.status", "=", "dead")
    .where((eb) => eb.or([eb("jobs.purpose", "!=", "preview"), eb("regrades.status", "=", "previewing")]))
    .orderBy("jobs.finished_at", "desc")
    .orderBy("jobs.seq", "desc");
  if (input.limit !== undefined) query = query.limit(input.limit);
  return (await query.execute()).map(deadLetterOf);
}

/** Dead-lettered jobs of one course, newest first. */
export function deadLettersForCourse(db: Db, courseId: string): Promise<DeadLetter[]> {
  return deadLetters(db, { courseId });
}

/** The phase of each listed job, from its latest progress event. */
async function phases(db: Db, jobIds: readonly string[]): Promise<Map<string, string>> {
  if (jobIds.length === 0) return new Map();
  const rows = await db.kysely
    .selectFrom("job_progress")
    .select(["job_id", "event"])
    .where("job_id", "in", jobIds)
    .where((eb) =>
      eb(
        "seq",
        "=",
        eb
          .selectFrom("job_progress as p")
          .select((p) => p.fn.max("p.seq").as("m"))
          .whereRef("p.job_id", "=", "job_progress.job_id"),
      ),
    )
    .execute();
  return new Map(
    rows.map((row) => {
      // An event this version does not know (a newer grader's) must not break the list.
      const parsed = ProgressEvent.safeParse(JSON.parse(row.event));
      return [row.job_id, parsed.success ? phaseOf(parsed.data) : "working"];
    }),
  );
}

/**
 * Queued jobs in the order graders will claim them (positions count every course's jobs, since they
 * share the graders), running jobs with their grader, phase and elapsed time, and the latest
 * dead-lettered jobs. `courseId` narrows all three to one course; absent, every course.
 */
export async function jobsOverview(db: Db, input: { courseId?: string; now: number; failureLimit?: number }): Promise<JobsOverview> {
  const [order, queuedRows, runningRows, failures] = await Promise.all([
    claimQueue(db),
    subjects(db, input.courseId).where("jobs.status", "=", "queued").execute(),
    subjects(db, input.courseId)
      .where("jobs.status", "=", "running")
      .orderBy("jobs.started_at", "asc")
      .orderBy("jobs.seq", "asc")
      .execute(),
    deadLetters(db, { ...(input.courseId === undefined ? {} : { courseId: input.courseId }), limit: input.failureLimit ?? 50 }),
  ]);
  const place = new Map(order.map((id, i) => [id, i]));
  const phaseOfJob = await phases(
    db,
    runningRows.map((r) => r.job_id),
  );
  return {
    queued: queuedRows
      .flatMap((row) => {
        const position = place.get(row.job_id);
        // Claimed between the two reads: no longer in line.
        return position === undefined ? [] : [{ ...subjectOf(row), position, waitingMs: Math.max(0, input.now - Number(row.created_at)) }];
      })
      .sort((a, b) => a.position - b.position),
    running: runningRows.map((row) => {
      const startedAt = Number(row.started_at ?? input.now);
      return {
        ...subjectOf(row),
        workerId: row.worker_id,
        phase: phaseOfJob.get(row.job_id) ?? phaseOf(null),
        startedAt,
        elapsedMs: Math.max(0, input.now - startedAt),
        attempts: row.attempts,
      };
    }),
    failures,
  };
}
