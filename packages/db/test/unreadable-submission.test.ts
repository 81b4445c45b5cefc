import { describe, expect, it } from "vitest";
import { countAttempts, createSubmissionWithJob, submissionsFor } from "../src/index";
import { seedCourse, testDialects } from "../src/testing";
import { payload, useTestDb } from "./helpers";

/**
 * Regression: one stored submission no schema reads (a bad migration, a hand edit) made every read of
 * the student's submissions throw — their list, their attempt count, and, through the project the
 * grader reads for each job, the grading of all their other submissions.
 */
describe.each(testDialects)("a submission whose stored payload no longer parses (%s)", (dialect) => {
  const testDb = useTestDb(dialect);

  it("is left out of the student's submissions and attempts; the readable ones are all there", async () => {
    const { db } = testDb();
    const f = await seedCourse(db, 0);
    const submit = (now: number) =>
      createSubmissionWithJob(
        db,
        {
          assignmentId: f.assignment.id,
          userId: f.student.id,
          exerciseId: f.assignment.exerciseId,
          payload: payload(f.assignment.exerciseId),
        },
        now,
      );
    const first = await submit(1);
    const poisoned = await submit(2);
    const last = await submit(3);
    await db.kysely
      .updateTable("submissions")
      .set({ payload: '{"exerciseId": 42, "model": "DROP TABLE"}' })
      .where("id", "=", poisoned.submission.id)
      .execute();

    const ids = { assignmentId: f.assignment.id, userId: f.student.id };
    expect((await submissionsFor(db, ids)).map((s) => s.id)).toEqual([last.submission.id, first.submission.id]);
    expect(await countAttempts(db, ids)).toBe(2);
  });
});
