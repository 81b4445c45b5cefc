import type { DatasetRef, SubmissionPayload } from "@stepwise/core/contracts";
import { describe, expect, it } from "vitest";
import {
  claimJob,
  completeJob,
  courseProjects,
  createAssignment,
  createSubmissionWithJob,
  enqueueRegrade,
  groupProjects,
  type LocateAssignment,
  projectStepOf,
  setStepOverride,
  updateCourse,
} from "../src/index";
import type { Db } from "../src/connection";
import { sampleVerdict, seedCourse, testDialects } from "../src/testing";
import { useTestDb } from "./helpers";

/** The exercises package's catalogue stands behind this in the apps; the database only needs step and dataset. */
const PLACES: Record<string, { step: number; dataset: DatasetRef }> = {
  "m-1": { step: 1, dataset: { kind: "mnist" } },
  "m-2": { step: 2, dataset: { kind: "mnist" } },
  "m-3": { step: 3, dataset: { kind: "mnist" } },
  "i-1": { step: 1, dataset: { kind: "imdb", vocabularySize: 10_000 } },
};
const locate: LocateAssignment = (a) => PLACES[a.exerciseId] ?? null;

async function course(db: Db) {
  const f = await seedCourse(db, 1, "unknown-exercise");
  const add = (exerciseId: string, position: number) =>
    createAssignment(
      db,
      {
        courseId: f.course.id,
        exerciseId,
        title: `Assignment ${exerciseId}`,
        overrides: {},
        deadline: null,
        attemptsAllowed: null,
        position,
      },
      1,
    );
  const [m1, m2, m3, i1] = [await add("m-1", 1), await add("m-2", 2), await add("m-3", 3), await add("i-1", 4)];
  return { ...f, m1, m2, m3, i1 };
}

async function submitTo(
  db: Db,
  input: { assignmentId: string; exerciseId: string; userId: string },
  answers: SubmissionPayload["answers"],
  now: number,
) {
  return createSubmissionWithJob(db, { ...input, payload: { exerciseId: input.exerciseId, answers } }, now);
}

async function grade(db: Db, jobId: string, status: "passed" | "failed", now: number): Promise<void> {
  const claimed = await claimJob(db, { workerId: "w", leaseMs: 60_000, now });
  expect(claimed?.job.id).toBe(jobId);
  await completeJob(db, { jobId, workerId: "w", verdict: sampleVerdict(status, status === "passed" ? 1 : 0.3), now: now + 1 });
}

const states = async (db: Db, courseId: string, userId: string) =>
  Object.fromEntries(
    (await courseProjects(db, { courseId, userId, locate, now: null })).map((p) => [p.label, p.steps.map((s) => s.status.state)]),
  );

describe.each(testDialects)("projects from the database on %s", (dialect) => {
  const t = useTestDb(dialect);

  it("groups a course's assignments by dataset, skipping exercises without a place", async () => {
    const { db } = t();
    const f = await course(db);
    const groups = groupProjects([f.assignment, f.m1, f.m2, f.m3, f.i1], locate);
    expect(groups.map((g) => [g.key, g.label, g.steps.map((s) => s.number)])).toEqual([
      ["mnist", "MNIST", [1, 2, 3]],
      ["imdb", "IMDB", [1]],
    ]);
  });

  it("folds a student's submissions, verdicts and regrades into each project", async () => {
    const { db } = t();
    const f = await course(db);
    expect(await states(db, f.course.id, f.student.id)).toEqual({ MNIST: ["open", "locked", "locked"], IMDB: ["open"] });
    const [fresh] = await courseProjects(db, { courseId: f.course.id, userId: f.student.id, locate, now: null });
    expect(fresh?.mode).toBe("guided");
    expect(fresh?.steps[1]?.reason).toBe("Pass step 1 (Define the problem and assemble a dataset) on MNIST first.");

    const { submission, job } = await submitTo(
      db,
      { assignmentId: f.m1.id, exerciseId: "m-1", userId: f.student.id },
      { task: "multiclass" },
      10,
    );
    expect(await states(db, f.course.id, f.student.id)).toEqual({ MNIST: ["submitted", "locked", "locked"], IMDB: ["open"] });
    await grade(db, job.id, "passed", 20);
    const [mnist] = await courseProjects(db, { courseId: f.course.id, userId: f.student.id, locate, now: null });
    expect(mnist?.steps.map((s) => s.status.state)).toEqual(["passed", "open", "locked"]);
    expect(mnist?.summary).toEqual({ passed: 1, total: 3, next: { id: "choose-metric", number: 2, title: "Choose a measure of success" } });
    expect(mnist?.handoff).toEqual({ taskType: "multiclass" });
    expect((await projectStepOf(db, { assignment: f.m2, userId: f.student.id, locate, now: null }))?.step.status.state).toBe("open");

    // A regrade that fails the only pass locks step 2 again; the other student is untouched.
    const regrade = await enqueueRegrade(db, submission.id, 30);
    await grade(db, regrade.id, "failed", 40);
    expect(await states(db, f.course.id, f.student.id)).toEqual({ MNIST: ["failed", "locked", "locked"], IMDB: ["open"] });
    expect(await states(db, f.course.id, f.instructor.id)).toEqual({ MNIST: ["open", "locked", "locked"], IMDB: ["open"] });
  });

  it("opens every step in an independent course and honours an instructor's override", async () => {
    const { db } = t();
    const f = await course(db);
    await setStepOverride(
      db,
      {
        courseId: f.course.id,
        userId: f.student.id,
        project: "mnist",
        stepId: "evaluation-protocol",
        action: "open",
        createdBy: f.instructor.id,
      },
      5,
    );
    expect(await states(db, f.course.id, f.student.id)).toEqual({ MNIST: ["open", "locked", "open"], IMDB: ["open"] });
    await setStepOverride(
      db,
      {
        courseId: f.course.id,
        userId: f.student.id,
        project: "mnist",
        stepId: "define-problem",
        action: "pass",
        createdBy: f.instructor.id,
      },
      6,
    );
    expect(await states(db, f.course.id, f.student.id)).toEqual({ MNIST: ["passed", "open", "open"], IMDB: ["open"] });

    const updated = await updateCourse(db, f.course.id, { settings: { defaultAttempts: 3, mode: "independent" } });
    expect(updated.mode).toBe("independent");
    expect(updated.settings).toEqual({ defaultAttempts: 3, mode: "independent" });
    expect(await states(db, f.course.id, f.instructor.id)).toEqual({ MNIST: ["open", "open", "open"], IMDB: ["open"] });
    // Settings without a mode keep the course's mode; an unknown mode is refused by name.
    expect((await updateCourse(db, f.course.id, { settings: { defaultAttempts: 4 } })).mode).toBe("independent");
    await expect(updateCourse(db, f.course.id, { settings: { mode: "free-for-all" } })).rejects.toThrow(
      'Course mode must be "guided" or "independent", got "free-for-all"',
    );
  });
});
