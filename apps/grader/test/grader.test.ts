import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SubmissionPayload } from "@stepwise/core/contracts";
import { createAssignment, jobLog, latestJobForSubmission, progressSince, type Db } from "@stepwise/db";
import { answerSolutions, solutions } from "@stepwise/exercises/solutions";
import { enrolledIds, openGradedDb, studentWithAssignment, submit, waitForVerdict, type GradedDb } from "./helpers";

const mnist = solutions["mnist-beat-baseline"];
if (!mnist) throw new Error("the MNIST step-5 solutions are missing");

describe("grader on SQLite: MNIST step 5", () => {
  let graded: GradedDb;
  let db: Db;
  let ids: { assignmentId: string; userId: string };

  beforeAll(async () => {
    graded = await openGradedDb(async (d) => {
      ids = await enrolledIds(d, "mnist-beat-baseline");
    });
    db = graded.db;
  });
  afterAll(() => graded.close());

  it("retrains the reference model and passes it, with curves, progress and environment", async () => {
    const { submission } = await submit(db, ids, mnist.reference);
    const verdict = await waitForVerdict(db, submission.id);
    expect(verdict.status).toBe("passed");
    const accuracy = verdict.metrics.testAccuracy;
    expect(accuracy?.value).toBeGreaterThan(0.8);
    expect(accuracy?.interval?.lower).toBeLessThan(accuracy?.value ?? 0);
    expect(verdict.curves.history).toHaveLength(3);
    expect(verdict.curves.history[2]?.loss).toBeLessThan(verdict.curves.history[0]?.loss ?? 0);
    expect(verdict.environment?.backend).toMatch(/^(tensorflow|wasm|wasm\+openblas|cpu)$/);
    const job = await latestJobForSubmission(db, submission.id);
    const events = await progressSince(db, job?.id ?? "", 0);
    // The curves' events, with the student's status phases between them: preparing, each epoch of the one training, evaluating last.
    const phase = (e: (typeof events)[number]["event"]) => (e.type === "phase" ? `${e.phase}${e.epoch ?? ""}` : e.type);
    expect(events.map((e) => phase(e.event))).toEqual([
      "preparing",
      "training0",
      "started",
      "training1",
      "epoch",
      "training2",
      "epoch",
      "training3",
      "epoch",
      "evaluating",
      "evaluating",
    ]);
    expect(await jobLog(db, job?.id ?? "")).toMatch(/training child ended: done after 3 epoch\(s\)/);
  });

  it("fails the naive model for the right reason: it does not beat the majority-class baseline", async () => {
    const { submission } = await submit(db, ids, mnist.naive);
    const verdict = await waitForVerdict(db, submission.id);
    expect(verdict.status).toBe("failed");
    const check = verdict.checks.find((c) => c.id === "beats-baseline");
    expect(check?.passed).toBe(false);
    expect(check?.message).toMatch(/does not beat the baseline/);
    // The bar is the stronger of 0.1 and the majority-class rate of the evaluated test slice.
    expect(verdict.curves.baseline).toBeGreaterThanOrEqual(0.1);
  });

  it("changing the model changes the curve: the verdict comes from a real retrain", async () => {
    const wider = structuredClone(mnist.reference) as SubmissionPayload & {
      model: { topology: { config: { layers: { config: { units: number } }[] } } };
    };
    const first = wider.model.topology.config.layers[0];
    if (first) first.config.units = 64;
    const a = await waitForVerdict(db, (await submit(db, ids, mnist.reference)).submission.id);
    const b = await waitForVerdict(db, (await submit(db, ids, wider)).submission.id);
    expect(b.curves.history[0]?.loss).not.toBe(a.curves.history[0]?.loss);
    // Same submission, same seeds, same backend: the same numbers.
    const again = await waitForVerdict(db, (await submit(db, ids, mnist.reference)).submission.id);
    expect(again.curves.history.map((h) => h.loss)).toEqual(a.curves.history.map((h) => h.loss));
  });

  it.each([
    [
      "an unknown layer class",
      (p: SubmissionPayload) => JSON.parse(JSON.stringify(p).replace('"class_name":"Dense"', '"class_name":"Lambda"')) as SubmissionPayload,
      /Lambda/,
    ],
    [
      "an over-budget model",
      (p: SubmissionPayload) => JSON.parse(JSON.stringify(p).replace('"units":32', '"units":4000')) as SubmissionPayload,
      /parameters/,
    ],
  ])("rejects %s as invalid before training, costing no attempt", async (_name, mutate, message) => {
    const { submission } = await submit(db, ids, mutate(mnist.reference));
    const verdict = await waitForVerdict(db, submission.id);
    expect(verdict.status).toBe("invalid");
    expect(verdict.summary).toMatch(message);
  });
});

describe("grader on SQLite: answer steps 1–4 are graded without training", () => {
  it.each([["mnist-define-problem"], ["credit-choose-metric"], ["imdb-prepare-data"]])(
    "%s: the correct answers pass and the wrong ones fail",
    async (exerciseId) => {
      const { db, close } = await openGradedDb();
      try {
        const ids = await enrolledIds(db, exerciseId);
        const set = answerSolutions[exerciseId];
        if (!set) throw new Error(`no answer solutions for ${exerciseId}`);
        const right = await waitForVerdict(db, (await submit(db, ids, set.correct)).submission.id);
        expect(right.status, right.summary).toBe("passed");
        const wrong = await waitForVerdict(db, (await submit(db, ids, set.wrong)).submission.id);
        expect(wrong.status).toBe("failed");
        expect(wrong.checks.find((c) => c.id === set.wrongFails)?.passed).toBe(false);
      } finally {
        await close();
      }
    },
  );
});

describe("grader on SQLite: step 7 retrains the student's own step-6 model for the comparison", () => {
  it("rejects step 7 before step 6 is passed, then grades it against the passed step-6 model", async () => {
    const { db, close } = await openGradedDb();
    try {
      const { student, course, assignment: step6 } = await studentWithAssignment(db, "mnist-overfit");
      // The full-data target is out of reach on the CI slice: the instructor's override lowers it.
      const step7 = await createAssignment(
        db,
        {
          courseId: course.id,
          exerciseId: "mnist-regularize",
          title: "Regularize",
          overrides: { target: 0.75 },
          deadline: null,
          attemptsAllowed: null,
          position: 7,
        },
        Date.now(),
      );
      const regularized = solutions["mnist-regularize"]?.reference;
      const overfit = solutions["mnist-overfit"]?.reference;
      if (!regularized || !overfit) throw new Error("missing step 6/7 solutions");

      const early = await waitForVerdict(db, (await submit(db, { assignmentId: step7.id, userId: student.id }, regularized)).submission.id);
      expect(early.status).toBe("invalid");
      expect(early.summary).toMatch(/pass step 6 first/);

      expect(
        (await waitForVerdict(db, (await submit(db, { assignmentId: step6.id, userId: student.id }, overfit)).submission.id)).status,
      ).toBe("passed");
      const verdict = await waitForVerdict(
        db,
        (await submit(db, { assignmentId: step7.id, userId: student.id }, regularized)).submission.id,
      );
      expect(verdict.status, verdict.summary).toBe("passed");
      expect(verdict.checks.map((c) => c.id)).toEqual(expect.arrayContaining(["smaller-gap", "reaches-target"]));
      expect(verdict.metrics.gapAfter?.value).toBeLessThan(verdict.metrics.gapBefore?.value ?? -Infinity);
    } finally {
      await close();
    }
  });
});
