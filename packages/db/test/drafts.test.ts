import { ValidationError } from "@stepwise/core/contracts";
import { describe, expect, it } from "vitest";
import { createAssignment, deleteAssignment, deleteDraft, DRAFT_MAX_BYTES, draftFor, saveDraft } from "../src/index";
import { seedCourse, testDialects, createTestUser } from "../src/testing";
import { useTestDb } from "./helpers";

describe.each(testDialects)("drafts on %s", (dialect) => {
  const t = useTestDb(dialect);

  it("keeps one draft per student and assignment: a save replaces it, the other student's and assignment's stay apart", async () => {
    const { db } = t();
    const f = await seedCourse(db, 1, "mnist-beat-baseline");
    const other = await createTestUser(db, { email: "other@example.test", name: "Other", role: "student", password: "correct horse" }, 1);
    const second = await createAssignment(
      db,
      {
        courseId: f.course.id,
        exerciseId: "mnist-overfit",
        title: "Overfit",
        overrides: {},
        deadline: null,
        attemptsAllowed: null,
        position: 1,
      },
      1,
    );
    const mine = { userId: f.student.id, assignmentId: f.assignment.id };

    expect(await draftFor(db, mine)).toBeNull();
    await saveDraft(db, mine, { code: "first" }, 10);
    await saveDraft(db, { userId: other.id, assignmentId: f.assignment.id }, { code: "theirs" }, 11);
    await saveDraft(db, { userId: f.student.id, assignmentId: second.id }, { code: "step 6" }, 12);
    const saved = await saveDraft(db, mine, { code: "second", training: { epochs: "5" } }, 20);

    expect(saved).toEqual({ ...mine, content: { code: "second", training: { epochs: "5" } }, updatedAt: 20 });
    expect(await draftFor(db, mine)).toEqual(saved);
    expect((await draftFor(db, { userId: other.id, assignmentId: f.assignment.id }))?.content).toEqual({ code: "theirs" });
    expect((await draftFor(db, { userId: f.student.id, assignmentId: second.id }))?.content).toEqual({ code: "step 6" });
  });

  it("stores timestamps beyond 2^31 as numbers", async () => {
    const { db } = t();
    const f = await seedCourse(db, 1, "mnist-beat-baseline");
    const now = Date.UTC(2031, 5, 1);
    await saveDraft(db, { userId: f.student.id, assignmentId: f.assignment.id }, { code: "x" }, now);
    expect((await draftFor(db, { userId: f.student.id, assignmentId: f.assignment.id }))?.updatedAt).toBe(now);
  });

  it("refuses a draft past the size cap with its size and the cap, and keeps the earlier draft", async () => {
    const { db } = t();
    const f = await seedCourse(db, 1, "mnist-beat-baseline");
    const key = { userId: f.student.id, assignmentId: f.assignment.id };
    await saveDraft(db, key, { code: "kept" }, 5);
    const big = { code: "x".repeat(DRAFT_MAX_BYTES) };
    const attempt = saveDraft(db, key, big, 6);
    await expect(attempt).rejects.toBeInstanceOf(ValidationError);
    await expect(attempt).rejects.toThrow(/at most 256 KiB of JSON, got 256\.\d KiB/);
    expect((await draftFor(db, key))?.content).toEqual({ code: "kept" });
  });

  it("deletes a draft, and drafts go with their assignment", async () => {
    const { db } = t();
    const f = await seedCourse(db, 1, "mnist-beat-baseline");
    const key = { userId: f.student.id, assignmentId: f.assignment.id };
    await saveDraft(db, key, { code: "gone" }, 5);
    expect(await deleteDraft(db, key)).toBe(true);
    expect(await deleteDraft(db, key)).toBe(false);
    expect(await draftFor(db, key)).toBeNull();
    await saveDraft(db, key, { code: "again" }, 6);
    await deleteAssignment(db, f.assignment.id);
    expect(await draftFor(db, key)).toBeNull();
  });
});
