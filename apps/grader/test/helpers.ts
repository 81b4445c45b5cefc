import type { ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SubmissionPayload, Verdict } from "@stepwise/core/contracts";
import {
  type ClaimedJob,
  createAssignment,
  createCourse,
  createSubmissionWithJob,
  createUser,
  enroll,
  latestJobForSubmission,
  migrate,
  openDb,
  verdictForJob,
  type Db,
} from "@stepwise/db";
import { GraderConfig } from "../src/config";
import { gradeClaimedJob } from "../src/grade";
import { repoRoot } from "../src/paths";
import type { TrainRequest } from "../src/protocol";
import { WarmPool } from "../src/sandbox";
import { startGrader, type GraderHandle } from "../src/worker";

/** A grader configuration scaled down for tests: small real slices of the data, short leases. */
/**
 * The grader as production runs it (README), after `node`, from apps/grader: the compiled build,
 * which the test run's global setup brings up to date (test/global-setup.ts).
 */
export const GRADER_ARGV = ["--enable-source-maps", "dist/main.js"] as const;

export function testConfig(databaseUrl: string, overrides: Partial<GraderConfig> = {}): GraderConfig {
  return GraderConfig.parse({
    databaseUrl,
    concurrency: 1,
    leaseMs: 20_000,
    heartbeatMs: 500,
    pollMs: 50,
    reapEveryMs: 1_000,
    memoryMb: 2048,
    // A hang guard, far above any test's training time on a loaded machine.
    hardTimeoutMs: 600_000,
    backend: "auto",
    cacheDir: join(repoRoot(), "data", "cache"),
    trainLimit: 2_000,
    testLimit: 1_000,
    workerId: "test-grader",
    // Tests time nothing, and each in-process grader would otherwise train a warm-up model first;
    // the warm-up itself is tested through a real grader process (service.test.ts).
    warmUp: "off",
    ...overrides,
  });
}

export const tmpDbUrl = () => `file:${join(mkdtempSync(join(tmpdir(), "stepwise-grader-")), "test.db")}`;

/** A student enrolled in a course with one assignment of `exerciseId`. */
export async function studentWithAssignment(db: Db, exerciseId: string) {
  const now = Date.now();
  const student = await createUser(
    db,
    { email: `s-${now}-${Math.random()}@test`, name: "Student", role: "student", password: "password-123" },
    now,
  );
  const course = await createCourse(db, { title: "Test course" }, now);
  await enroll(db, { courseId: course.id, userId: student.id, role: "student" }, now);
  const assignment = await createAssignment(
    db,
    { courseId: course.id, exerciseId, title: exerciseId, overrides: {}, deadline: null, attemptsAllowed: null, position: 5 },
    now,
  );
  return { student, course, assignment };
}

/** The ids a submission names: a fresh student enrolled in a course with one assignment of `exerciseId`. */
export async function enrolledIds(db: Db, exerciseId: string): Promise<{ assignmentId: string; userId: string }> {
  const { student, assignment } = await studentWithAssignment(db, exerciseId);
  return { assignmentId: assignment.id, userId: student.id };
}

export interface GradedDb {
  db: Db;
  grader: GraderHandle;
  /** Stops the grader, then closes the database. */
  close: () => Promise<void>;
}

/** A fresh migrated SQLite database, filled by `setUp`, with an in-process test grader then running on it. */
export async function openGradedDb(setUp: (db: Db) => Promise<void> = () => Promise.resolve()): Promise<GradedDb> {
  const url = tmpDbUrl();
  const db = await openDb(url);
  await migrate(db);
  await setUp(db);
  const grader = startGrader(testConfig(url), { db, log: () => undefined });
  return {
    db,
    grader,
    close: async () => {
      await grader.stop();
      await db.close();
    },
  };
}

export async function submit(db: Db, ids: { assignmentId: string; userId: string }, payload: SubmissionPayload) {
  return createSubmissionWithJob(db, { ...ids, exerciseId: payload.exerciseId, payload }, Date.now());
}

/** Polls until the submission's latest job has a verdict (the grader runs concurrently). */
export async function waitForVerdict(db: Db, submissionId: string, timeoutMs = 300_000): Promise<Verdict> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await latestJobForSubmission(db, submissionId);
    if (job) {
      const verdict = await verdictForJob(db, job.id);
      if (verdict) return verdict;
    }
    if (Date.now() > deadline)
      throw new Error(`no verdict for submission ${submissionId} within ${timeoutMs} ms (job ${job?.status ?? "missing"})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Grades a claimed job through the grader's own path in this process, with the test configuration;
 * `pool` (a `RecordingPool`, or a warm pool shared by a file's gradings) hands out the training children.
 */
export function gradeInProcess(claimed: ClaimedJob, db: Db, databaseUrl: string, pool?: WarmPool): Promise<Verdict> {
  return gradeClaimedJob(claimed, {
    db,
    config: testConfig(databaseUrl),
    signal: new AbortController().signal,
    now: Date.now,
    ...(pool ? { pool } : {}),
  });
}

/**
 * A pool that records what each child it hands out is sent. Like the grader's own pool it keeps one
 * warm child, forked at once, and reuses it for the runs of a grading (folds, final model,
 * experiments) rather than loading TF.js in a fresh child for each.
 */
export class RecordingPool extends WarmPool {
  readonly sent: TrainRequest[] = [];
  private readonly recorded = new WeakSet<ChildProcess>();
  constructor() {
    super(1, 2048, "auto", GraderConfig.shape.childJobs.parse(undefined));
  }
  override take(): ChildProcess {
    const child = super.take();
    // A reused child already records: wrapping its send again would record each message twice.
    if (this.recorded.has(child)) return child;
    this.recorded.add(child);
    const send = child.send.bind(child) as (message: unknown) => boolean;
    child.send = (message: TrainRequest) => {
      this.sent.push(message);
      return send(message);
    };
    return child;
  }
}
