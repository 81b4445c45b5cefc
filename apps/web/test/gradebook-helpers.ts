import type { Verdict } from "@stepwise/core/contracts";
import { claimJob, completeJob, createCourse, createSubmissionWithJob, enroll, failJob, type Db, type User } from "@stepwise/db";
import { createTestUser, sampleVerdict } from "@stepwise/db/testing";
import { validPayload, world, type World } from "./helpers";

export const DAY = 24 * 60 * 60 * 1000;

export interface InstructorWorld extends World {
  /** An instructor of another course, who must see nothing of this one. */
  rival: User;
  /** An instructor (global role) enrolled in this course as a student. */
  instructorAsStudent: User;
}

/** `world()` plus the callers the instructor procedures must refuse. */
export async function instructorWorld(): Promise<InstructorWorld> {
  const w = await world();
  const now = w.clock.now();
  const rival = await createTestUser(
    w.db,
    { email: "rival@example.test", name: "Rival Teacher", role: "instructor", password: "rival-password" },
    now,
  );
  const theirs = await createCourse(w.db, { title: "Another course" }, now);
  await enroll(w.db, { courseId: theirs.id, userId: rival.id, role: "instructor" }, now);
  const instructorAsStudent = await createTestUser(
    w.db,
    { email: "ta@example.test", name: "Tess Assistant", role: "instructor", password: "ta-password" },
    now,
  );
  await enroll(w.db, { courseId: w.courseId, userId: instructorAsStudent.id, role: "student" }, now);
  return { ...w, rival, instructorAsStudent };
}

/** A submission stored at `at` (ms), as the submit path stores it, with its queued grading job. */
export async function submitAt(w: World, user: User, at: number, assignmentId = w.assignment.id) {
  return createSubmissionWithJob(
    w.db,
    { assignmentId, userId: user.id, exerciseId: validPayload().exerciseId, payload: validPayload() },
    at,
  );
}

/**
 * Plays the grader: claims runnable jobs in queue order and completes each with the verdict `pick`
 * returns for it (or fails it for good when `pick` returns "dead"). Stops when nothing is runnable.
 */
export async function gradeQueue(
  db: Db,
  now: number,
  pick: (job: { id: string; submissionId: string; purpose: string }) => Verdict | "dead",
): Promise<number> {
  let graded = 0;
  for (;;) {
    const claimed = await claimJob(db, { workerId: "test-grader", leaseMs: 60_000, now });
    if (!claimed) return graded;
    const { purpose } = await db.kysely.selectFrom("jobs").select("purpose").where("id", "=", claimed.job.id).executeTakeFirstOrThrow();
    const verdict = pick({ id: claimed.job.id, submissionId: claimed.submission.id, purpose });
    if (verdict === "dead") {
      await db.kysely.updateTable("jobs").set({ max_attempts: 1 }).where("id", "=", claimed.job.id).execute();
      await failJob(db, { jobId: claimed.job.id, workerId: "test-grader", error: "training child crashed: SIGSEGV", now });
    } else {
      await completeJob(db, { jobId: claimed.job.id, workerId: "test-grader", verdict, now });
    }
    graded += 1;
  }
}

/** A verdict with a given status and score, and checks of each visibility. */
export function verdict(status: Verdict["status"], score: number): Verdict {
  const base = sampleVerdict(status, score);
  return {
    ...base,
    checks: [
      { id: "beats-baseline", passed: status === "passed", message: "Accuracy 0.91 beats 0.11 (p < 0.01)", visibility: "always" },
      { id: "claim", passed: true, message: "Your claimed 0.90 matches the reproduced 0.91", visibility: "after_deadline" },
      { id: "hidden-robustness", passed: false, message: "Secret check the student never sees", visibility: "never" },
    ],
    environment: { backend: "wasm", tfjsVersion: "4.22.0", seed: 1234, durationMs: 2500 },
  };
}
