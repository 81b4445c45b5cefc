import { setExtension, submissionsFor, updateCourse } from "@stepwise/db";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { T0, validPayload, world, type World } from "./helpers";

/** The submit-time deadline: extensions replace the deadline, late penalties decide how late is still accepted. */
const DAY = 24 * 3_600_000;
const DEADLINE = T0 + DAY;
const ISO = new Date(DEADLINE).toISOString();

let w: World;
beforeEach(async () => {
  w = await world();
});
afterEach(async () => {
  await w.cleanup();
});

async function submitAt(at: number, assignmentId: string, who = w.student) {
  w.clock.advance(at - w.clock.now());
  return (await w.as(who)).submission.create({ assignmentId, payload: validPayload() });
}

describe("deadlines at submit", () => {
  it("without a late penalty the deadline is hard: the refusal says when it was and that nothing late is accepted", async () => {
    const due = await w.addAssignment({ deadline: DEADLINE });
    await expect(submitAt(DEADLINE, due.id)).resolves.toMatchObject({ status: "queued" });
    await expect(submitAt(DEADLINE + 1, due.id)).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
      message: `The deadline for this assignment was ${ISO}. This assignment accepts no late submissions.`,
    });
  });

  it("a student's extension replaces the deadline for them only", async () => {
    const due = await w.addAssignment({ deadline: DEADLINE });
    await setExtension(w.db, { assignmentId: due.id, userId: w.student.id, deadline: DEADLINE + 2 * DAY }, T0);
    await expect(submitAt(DEADLINE + DAY, due.id)).resolves.toMatchObject({ status: "queued" });
    await expect(submitAt(DEADLINE + DAY, due.id, w.other)).rejects.toMatchObject({ code: "PRECONDITION_FAILED" });
    await expect(submitAt(DEADLINE + 2 * DAY + 1, due.id)).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
      message: expect.stringMatching(
        new RegExp(`^Your extended deadline for this assignment was ${new Date(DEADLINE + 2 * DAY).toISOString()}\\.`),
      ) as unknown,
    });
  });

  it("the course's late penalty accepts submissions up to maxDaysLate days late and refuses later ones", async () => {
    await updateCourse(w.db, w.courseId, { settings: { defaultAttempts: 10, latePenalty: { perDay: 0.1, maxDaysLate: 2 } } });
    const due = await w.addAssignment({ deadline: DEADLINE });
    await expect(submitAt(DEADLINE + DAY / 2, due.id)).resolves.toMatchObject({ status: "queued" });
    await expect(submitAt(DEADLINE + 2 * DAY, due.id)).resolves.toMatchObject({ status: "queued" });
    await expect(submitAt(DEADLINE + 2 * DAY + 1, due.id)).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
      message: `The deadline for this assignment was ${ISO}. Submissions are accepted up to 2 days late (minus 10% per day), and this one would be 3 days late.`,
    });
    expect(await submissionsFor(w.db, { assignmentId: due.id, userId: w.student.id })).toHaveLength(2);
  });

  it("the assignment's own late penalty wins over the course's", async () => {
    await updateCourse(w.db, w.courseId, { settings: { defaultAttempts: 10, latePenalty: { perDay: 0.1, maxDaysLate: 5 } } });
    const strict = await w.addAssignment({ deadline: DEADLINE, overrides: { latePenalty: { perDay: 0.5, maxDaysLate: 1 } } });
    await expect(submitAt(DEADLINE + DAY, strict.id)).resolves.toMatchObject({ status: "queued" });
    await expect(submitAt(DEADLINE + DAY + 1, strict.id)).rejects.toMatchObject({
      message: expect.stringMatching(/up to 1 day late \(minus 50% per day\), and this one would be 2 days late/) as unknown,
    });
  });
});
