/**
 * The whole path without a browser: tRPC caller → queue → a real grader process → verdict,
 * streamed back through `submission.watch`. The grader is spawned as its own process, as in
 * production; the web app never imports it.
 */
import { updateCourse } from "@stepwise/db";
import { openTestDb, type TestDb } from "@stepwise/db/testing";
import { solutions } from "@stepwise/exercises/solutions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WatchUpdate } from "../src/server/services/watch";
import { createCaller } from "../src/server/root";
import { seedDemo } from "../src/server/seed";
import { createContext } from "../src/server/trpc";
import { spawnGrader, type GraderProcess } from "./grader-process";
import { testConfig } from "./helpers";

describe("submission path on SQLite: web API → queue → grader process → verdict", () => {
  let testDb: TestDb;
  let grader: GraderProcess;

  beforeAll(async () => {
    testDb = await openTestDb("sqlite");
    const { courseId } = await seedDemo(testDb.db, Date.now());
    // This test is about grading, not the journey: step 5 is open without passing steps 1–4 first.
    await updateCourse(testDb.db, courseId, { mode: "independent" });
    grader = spawnGrader(testDb.url);
  });

  afterAll(async () => {
    await grader.stop();
    await testDb.cleanup();
  });

  it("a student's submission is graded by the grader and the verdict streams back with live epochs", async () => {
    const anonymous = createCaller(await createContext({ db: testDb.db, config: testConfig, sessionToken: null }));
    const headers = new Headers();
    const signInCtx = await createContext({ db: testDb.db, config: testConfig, sessionToken: null, resHeaders: headers });
    await createCaller(signInCtx).auth.signIn({ email: "student@stepwise.test", password: "stepwise-student" });
    const token = /stepwise_session=([^;]+)/.exec(headers.get("set-cookie") ?? "")?.[1];
    expect(token, "sign-in sets the session cookie").toBeTruthy();
    await expect(anonymous.course.list()).rejects.toMatchObject({ code: "UNAUTHORIZED" });

    const student = createCaller(await createContext({ db: testDb.db, config: testConfig, sessionToken: token ?? null }));
    const [course] = await student.course.list();
    const detail = await student.course.byId({ courseId: course?.id ?? "" });
    const assignment = detail.assignments.find((a) => a.step === 5 && (a.title.includes("MNIST") || a.exerciseTitle.includes("MNIST")));
    const reference = solutions["mnist-beat-baseline"]?.reference;
    if (!assignment || !reference) throw new Error("the demo course has no MNIST step-5 assignment");

    const created = await student.submission.create({ assignmentId: assignment.id, payload: reference });
    const updates: WatchUpdate[] = [];
    const stream = await student.submission.watch({ submissionId: created.submissionId });
    for await (const update of stream as AsyncIterable<WatchUpdate>) {
      updates.push(update);
      if (update.verdict) break;
    }
    const verdict = updates.at(-1)?.verdict;
    expect(verdict?.status, grader.log()).toBe("passed");
    expect(verdict?.metrics.testAccuracy?.value).toBeGreaterThan(0.7);
    const epochs = updates.flatMap((u) => u.events).filter((e) => e.type === "epoch");
    expect(epochs.map((e) => e.type === "epoch" && e.epoch)).toEqual([1, 2, 3]);
    // The verdict's curve is the grader's own retrain, epoch for epoch.
    expect(verdict?.curves.history.map((h) => h.loss)).toEqual(epochs.map((e) => (e.type === "epoch" ? e.loss : NaN)));
    const course2 = await student.course.byId({ courseId: course?.id ?? "" });
    expect(course2.assignments.find((a) => a.id === assignment.id)?.status).toBe("passed");
  });
});
