/**
 * A regrade end to end with a real grader process: a student's MNIST step-5 model passes, the
 * instructor raises the assignment's baseline to 0.99, previews the regrade (the grader retrains
 * the model under the new threshold: 100 → 0), the gradebook keeps 100 until the instructor applies
 * it, then shows 0. The grader runs as its own process, as in production (see path.test.ts).
 */
import { createAssignment, createCourse, createSession, enroll, type Assignment, type User } from "@stepwise/db";
import { openTestDb, type TestDb, createTestUser } from "@stepwise/db/testing";
import { solutions } from "@stepwise/exercises/solutions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "../src/server/root";
import type { WatchUpdate } from "../src/server/services/watch";
import { createContext } from "../src/server/trpc";
import { spawnGrader, type GraderProcess } from "./grader-process";
import { testConfig } from "./helpers";

async function until<T>(
  what: string,
  poll: () => Promise<T>,
  done: (value: T) => boolean,
  log: () => string,
  timeoutMs = 240_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await poll();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; grader log:\n${log()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe("regrade with a real grader process (SQLite)", () => {
  let testDb: TestDb;
  let grader: GraderProcess;
  let instructor: User;
  let student: User;
  let courseId: string;
  let assignment: Assignment;

  beforeAll(async () => {
    testDb = await openTestDb("sqlite");
    const { db } = testDb;
    const now = Date.now();
    instructor = await createTestUser(
      db,
      { email: "teacher@example.test", name: "Ada Teacher", role: "instructor", password: "teacher-password" },
      now,
    );
    student = await createTestUser(
      db,
      { email: "student@example.test", name: "Sam Student", role: "student", password: "student-password" },
      now,
    );
    const course = await createCourse(db, { title: "Regrade course" }, now);
    courseId = course.id;
    await enroll(db, { courseId, userId: instructor.id, role: "instructor" }, now);
    await enroll(db, { courseId, userId: student.id, role: "student" }, now);
    assignment = await createAssignment(
      db,
      {
        courseId,
        exerciseId: "mnist-beat-baseline",
        title: "Beat the baseline",
        overrides: {},
        deadline: null,
        attemptsAllowed: null,
        position: 5,
      },
      now,
    );
    grader = spawnGrader(testDb.url);
  });

  afterAll(async () => {
    await grader.stop();
    await testDb.cleanup();
  });

  const as = async (user: User) => {
    const { token } = await createSession(testDb.db, user.id, Date.now(), testConfig.sessionTtlMs);
    return createCaller(await createContext({ db: testDb.db, config: testConfig, sessionToken: token }));
  };

  it("previews the new score, changes nothing until applied, then applies it", async () => {
    const reference = solutions["mnist-beat-baseline"]?.reference;
    if (!reference) throw new Error("no reference submission for mnist-beat-baseline");
    const sam = await as(student);
    const created = await sam.submission.create({ assignmentId: assignment.id, payload: reference });
    const stream = await sam.submission.watch({ submissionId: created.submissionId });
    let graded: WatchUpdate | undefined;
    for await (const update of stream as AsyncIterable<WatchUpdate>) {
      graded = update;
      if (update.verdict) break;
    }
    expect(graded?.verdict?.status, grader.log()).toBe("passed");

    const ada = await as(instructor);
    const cell = async () => (await ada.gradebook.view({ courseId })).rows[0]?.cells[0];
    expect(await cell()).toMatchObject({ best: 1, status: "passed" });

    // The instructor raises the nominal baseline far above what this model reaches.
    await testDb.db.kysely
      .updateTable("assignments")
      .set({ overrides: JSON.stringify({ baseline: 0.99 }) })
      .where("id", "=", assignment.id)
      .execute();
    const { regradeId, jobs } = await ada.regrade.start({ assignmentId: assignment.id });
    expect(jobs).toBe(1);
    const status = await until(
      "the preview",
      () => ada.regrade.status({ regradeId }),
      (s) => s.canApply,
      () => grader.log(),
    );
    expect(status.counts).toMatchObject({ done: 1, total: 1 });
    expect(status.students).toEqual([
      expect.objectContaining({
        student: expect.objectContaining({ id: student.id }) as unknown,
        oldScore: 1,
        newScore: 0,
        oldStatus: "passed",
        newStatus: "failed",
        done: 1,
        pending: 0,
      }),
    ]);

    // Previewed, not applied: the student and the gradebook still see the pass.
    expect(await cell()).toMatchObject({ best: 1, status: "passed" });
    expect((await sam.submission.byId({ submissionId: created.submissionId })).verdict?.status).toBe("passed");
    const drill = await ada.gradebook.submission({ submissionId: created.submissionId });
    const preview = drill.jobs.find((j) => j.purpose === "preview");
    expect(preview?.verdict?.status).toBe("failed");
    expect(preview?.verdict?.metrics.baseline?.value).toBe(0.99);
    expect(preview?.verdict?.environment?.seed).toBe(drill.jobs.find((j) => j.purpose === "grade")?.verdict?.environment?.seed);

    expect(await ada.regrade.commit({ regradeId })).toMatchObject({ status: "applied", applied: 1, unchanged: 0 });
    expect(await cell()).toMatchObject({ best: 0, status: "failed" });
    const after = await sam.submission.byId({ submissionId: created.submissionId });
    expect(after.verdict?.status).toBe("failed");
    expect(after.verdict?.metrics.baseline?.value).toBe(0.99);
  });
});
