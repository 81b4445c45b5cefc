import type { CheckVisibility, Verdict } from "@stepwise/core/contracts";
import { claimJob, completeJob } from "@stepwise/db";
import { testDialects } from "@stepwise/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gradescopeResults } from "../src/server/services/exports";
import type { WatchUpdate } from "../src/server/services/watch";
import { validPayload, world, type World } from "./helpers";

const DAY = 24 * 3_600_000;
const SECRET = "Robustness 0.4321 on the hidden shifted set";

/** A passing verdict whose deciding check has the visibility under test; every other field derives from it. */
function verdictWith(visibility: CheckVisibility): Verdict {
  return {
    status: "passed",
    score: 0.875,
    summary: SECRET,
    checks: [
      { id: "runs", passed: true, message: "The model trained", visibility: "always" },
      { id: "beats-baseline", passed: true, message: SECRET, visibility },
    ],
    metrics: { testAccuracy: { label: "Test accuracy", value: 0.9753 } },
    curves: { history: [{ epoch: 1, loss: 0.3, seconds: 1.2 }], overfitEpoch: 1 },
    diagnostics: [{ code: "lr-high", message: "Loss jumps", hint: "Lower the learning rate" }],
    environment: { backend: "cpu", tfjsVersion: "4.22.0", seed: 424242, seeds: [424242, 99], durationMs: 1_000 },
  };
}

/** Where a case's submission lives: a course and assignment of its own, among the world's users. */
type Place = { courseId: string; assignmentId: string; submissionId: string };

/** What the student can read of one graded submission, through each procedure that shows it. */
const READS: ReadonlyArray<[string, (w: World, at: Place) => Promise<unknown>]> = [
  ["submission.byId", async (w, at) => (await (await w.as(w.student)).submission.byId({ submissionId: at.submissionId })).verdict],
  [
    "submission.watch",
    async (w, at) => {
      const updates: WatchUpdate[] = [];
      for await (const update of await (await w.as(w.student)).submission.watch({ submissionId: at.submissionId })) updates.push(update);
      return updates;
    },
  ],
  [
    "submission.compare",
    async (w, at) => (await (await w.as(w.student)).submission.compare({ submissionIds: [at.submissionId, at.submissionId] })).submissions,
  ],
  ["submission.list", async (w, at) => (await w.as(w.student)).submission.list({ assignmentId: at.assignmentId })],
  ["assignment.byId", async (w, at) => (await (await w.as(w.student)).assignment.byId({ assignmentId: at.assignmentId })).submissions],
  ["course.byId", async (w, at) => (await (await w.as(w.student)).course.byId({ courseId: at.courseId })).assignments],
];

/** [visibility, deadline relative to now (null: none), shown to the student?] */
const CASES: ReadonlyArray<[string, CheckVisibility, number | null, boolean]> = [
  ["always", "always", null, true],
  ["never", "never", null, false],
  ["never, after the deadline", "never", -DAY, false],
  ["after_deadline, before it", "after_deadline", DAY, false],
  ["after_deadline, with no deadline", "after_deadline", null, false],
  ["after_deadline, once it passed", "after_deadline", -DAY, true],
];

const TABLE = CASES.flatMap(([name, visibility, deadline, shown]) =>
  READS.map(([field, read]) => [name, field, visibility, deadline, shown, read] as const),
);

describe.each(testDialects)("what a student reads of a hidden check (%s)", (dialect) => {
  // One world (users, sessions) for the table; each case grades in a course of its own, so no case
  // reads another's submission through the course or assignment lists.
  let w: World;
  beforeAll(async () => {
    w = await world(dialect);
  });
  afterAll(async () => {
    await w.cleanup();
  });

  async function graded(visibility: CheckVisibility, deadline: number | null): Promise<Place> {
    // A minute between cases keeps the student under the submissions-per-minute limit.
    w.clock.advance(60_000);
    const { courseId, assignment } = await w.addCourse();
    const created = await (await w.as(w.student)).submission.create({ assignmentId: assignment.id, payload: validPayload() });
    const claimed = await claimJob(w.db, { workerId: "w", leaseMs: 60_000, now: w.clock.now() });
    if (!claimed) throw new Error("expected to claim the job");
    await completeJob(w.db, { jobId: claimed.job.id, workerId: "w", verdict: verdictWith(visibility), now: w.clock.now() });
    await w.db.kysely
      .updateTable("assignments")
      .set({ deadline: deadline === null ? null : w.clock.now() + deadline })
      .where("id", "=", assignment.id)
      .execute();
    return { courseId, assignmentId: assignment.id, submissionId: created.submissionId };
  }

  it.each(TABLE)("%s — %s", async (_case, _field, visibility, deadline, shown, read) => {
    const seen = JSON.stringify(await read(w, await graded(visibility, deadline)));
    // Never the grading seeds, whatever the visibility.
    expect(seen).not.toContain("424242");
    if (shown) {
      expect(seen).toMatch(/:"passed"/);
      return;
    }
    // No status value (only the visible check's own `"passed":true`), score, metric, summary, diagnostic or overfitting epoch.
    expect(seen).not.toMatch(/:"(passed|failed)"/);
    for (const leak of [SECRET, "0.875", "0.9753", "Loss jumps", '"overfitEpoch"']) expect(seen).not.toContain(leak);
  });

  it("shows the instructor the whole verdict, hidden check and seed included", async () => {
    const id = (await graded("never", null)).submissionId;
    const verdict = (await (await w.as(w.instructor)).submission.byId({ submissionId: id })).verdict;
    expect(verdict).toMatchObject({ status: "passed", score: 0.875, summary: SECRET, environment: { seed: 424242 } });
  });

  it("tells the student when the result will be shown", async () => {
    const id = (await graded("after_deadline", DAY)).submissionId;
    const verdict = (await (await w.as(w.student)).submission.byId({ submissionId: id })).verdict;
    expect(verdict).toMatchObject({ status: "withheld", withheldUntil: w.clock.now() + DAY, checks: [{ id: "runs" }] });
    expect(verdict?.summary).toBe(
      `Graded — the result is shown after ${new Date(w.clock.now() + DAY).toISOString().slice(0, 16).replace("T", " ")} UTC.`,
    );
  });
});

describe("Gradescope results a student reaches through Gradescope", () => {
  it.each([
    ["always", "visible"],
    ["after_deadline", "after_due_date"],
    ["never", "hidden"],
  ] as const)("a %s check makes the whole result %s", (visibility, expected) => {
    const results = gradescopeResults({
      verdict: verdictWith(visibility),
      lateness: { late: false, daysLate: 0, factor: 1, accepted: true },
      executionMs: null,
    });
    expect(results.visibility).toBe(expected);
  });
});
