import type { Verdict } from "@stepwise/core/contracts";
import { sampleVerdict, testDialects } from "@stepwise/db/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { describeEvent } from "../src/lib/audit-text";
import { describeChange } from "../src/lib/grade-change-text";
import { gradeQueue, submitAt } from "./gradebook-helpers";
import { world, type World } from "./helpers";

/** A verdict against `baseline`, its one check visible as `visibility`. */
function graded(passed: boolean, baseline: number, visibility: "always" | "never" = "always"): Verdict {
  const v = sampleVerdict(passed ? "passed" : "failed", passed ? 1 : 0.25);
  const message = passed ? `Accuracy 0.9100 beats the baseline ${baseline}` : `Accuracy 0.9100 does not beat the baseline ${baseline}`;
  return { ...v, checks: [{ id: "beats-baseline", passed, message, visibility }], curves: { ...v.curves, baseline } };
}

describe.each(testDialects)("regrades are visible (%s)", (dialect) => {
  let w: World;
  let submissionId: string;
  beforeEach(async () => {
    w = await world(dialect);
    const { submission } = await submitAt(w, w.student, w.clock.now());
    submissionId = submission.id;
    await gradeQueue(w.db, w.clock.now(), () => graded(true, 0.1135));
    w.clock.advance(60_000);
  });
  afterEach(async () => {
    await w.cleanup();
  });

  /** The instructor raises the baseline, regrades, and the previews fail against it. */
  async function raiseBaselineAndRegrade(visibility: "always" | "never" = "always") {
    const teacher = await w.as(w.instructor);
    await teacher.assignment.update({ assignmentId: w.assignment.id, overrides: { baseline: 0.96 } });
    const { regradeId } = await teacher.regrade.start({ assignmentId: w.assignment.id });
    await gradeQueue(w.db, w.clock.now(), () => graded(false, 0.96, visibility));
    const preview = await teacher.regrade.status({ regradeId });
    w.clock.advance(60_000);
    const applied = await teacher.regrade.commit({ regradeId });
    return { teacher, preview, applied };
  }

  it("tells the student what changed and why, flags it on the course page until the submission is opened", async () => {
    const { preview, applied } = await raiseBaselineAndRegrade();
    expect(applied).toMatchObject({ applied: 1, changed: 1 });
    // The instructor's preview says, per student, which check changed and why.
    expect(
      preview.students.map((s) => [
        s.student.name,
        s.changes.map((c) => [describeChange(c), c.checks.map((k) => [k.label, k.from, k.to, k.message])]),
      ]),
    ).toEqual([
      [
        "student",
        [
          [
            "passed → failed (baseline changed 0.1135 → 0.96)",
            [["Beats the baseline", true, false, "Accuracy 0.9100 does not beat the baseline 0.96"]],
          ],
        ],
      ],
    ]);

    const student = await w.as(w.student);
    const view = await student.submission.byId({ submissionId });
    expect(view.mine).toBe(true);
    expect(view.regrade).toMatchObject({
      from: "passed",
      to: "failed",
      baseline: { from: 0.1135, to: 0.96 },
      seen: false,
      at: w.clock.now(),
    });
    expect(
      (await student.gradeChange.unseen({ courseId: w.courseId })).map((c) => [c.submissionId, c.assignmentTitle, describeChange(c)]),
    ).toEqual([[submissionId, w.assignment.title, "passed → failed (baseline changed 0.1135 → 0.96)"]]);

    // Someone else can neither mark it nor see it.
    await expect((await w.as(w.other)).gradeChange.markSeen({ submissionId })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await (await w.as(w.other)).gradeChange.unseen({ courseId: w.courseId })).toEqual([]);
    await expect((await w.as(w.outsider)).gradeChange.unseen({ courseId: w.courseId })).rejects.toMatchObject({ code: "FORBIDDEN" });

    expect(await student.gradeChange.markSeen({ submissionId })).toEqual({ marked: 1 });
    expect(await student.gradeChange.markSeen({ submissionId })).toEqual({ marked: 0 });
    expect(await student.gradeChange.unseen({ courseId: w.courseId })).toEqual([]);
    expect((await student.submission.byId({ submissionId })).regrade).toMatchObject({ seen: true, from: "passed", to: "failed" });
  });

  it("names no hidden check and no withheld status to the student; the instructor sees both", async () => {
    await raiseBaselineAndRegrade("never");
    const notice = (await (await w.as(w.student)).submission.byId({ submissionId })).regrade;
    expect(notice).toMatchObject({ from: "passed", to: null, checks: [] });
    expect(notice && describeChange(notice)).toBe("the result was updated (baseline changed 0.1135 → 0.96)");
    const teacherView = (await (await w.as(w.instructor)).submission.byId({ submissionId })).regrade;
    expect(teacherView).toMatchObject({ from: "passed", to: "failed", checks: [{ id: "beats-baseline", from: true, to: false }] });
  });

  it("keeps an audit log of who changed what on the assignment and every grade change, for its instructors only", async () => {
    const teacher = await w.as(w.instructor);
    await teacher.assignment.update({ assignmentId: w.assignment.id, deadline: w.clock.now() + 86_400_000 });
    // Saving the same values again changes nothing and logs nothing.
    await teacher.assignment.update({ assignmentId: w.assignment.id, deadline: w.clock.now() + 86_400_000 });
    await teacher.assignment.setExtension({
      assignmentId: w.assignment.id,
      userId: w.student.id,
      deadline: w.clock.now() + 2 * 86_400_000,
    });
    await teacher.assignment.clearExtension({ assignmentId: w.assignment.id, userId: w.student.id });
    await raiseBaselineAndRegrade();

    const log = await teacher.assignment.audit({ assignmentId: w.assignment.id });
    expect(log.map((e) => [e.action, e.actor?.name ?? null, e.subject?.name ?? null])).toEqual([
      ["regrade.applied", "teacher", null],
      ["grade.changed", "teacher", "student"],
      ["regrade.started", "teacher", null],
      ["assignment.updated", "teacher", null],
      ["extension.cleared", "teacher", "student"],
      ["extension.set", "teacher", "student"],
      ["assignment.updated", "teacher", null],
    ]);
    const byAction = (action: string) => log.filter((e) => e.action === action).map(describeEvent);
    expect(byAction("grade.changed")).toEqual(["Grade of student (student@example.test): passed 1 → failed 0.25 (baseline 0.1135 → 0.96)"]);
    expect(byAction("assignment.updated")[0]).toBe("Changed baseline default → 0.96");
    expect(byAction("assignment.updated")[1]).toMatch(/^Changed deadline none → \d{1,2} \w{3} \d{4}, \d\d:\d\d UTC$/);
    expect(byAction("regrade.applied")).toEqual(["Applied a regrade: 1 regraded, 1 grades changed"]);

    for (const who of [w.student, w.outsider]) {
      await expect((await w.as(who)).assignment.audit({ assignmentId: w.assignment.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    }
  });

  it("logs no grade change when a regrade gives the same grade", async () => {
    const teacher = await w.as(w.instructor);
    const { regradeId } = await teacher.regrade.start({ assignmentId: w.assignment.id });
    await gradeQueue(w.db, w.clock.now(), () => graded(true, 0.1135));
    expect((await teacher.regrade.status({ regradeId })).students.map((s) => s.changes)).toEqual([[]]);
    expect(await teacher.regrade.commit({ regradeId })).toMatchObject({ applied: 1, changed: 0 });
    expect((await (await w.as(w.student)).submission.byId({ submissionId })).regrade).toBeNull();
    expect((await teacher.assignment.audit({ assignmentId: w.assignment.id })).map((e) => e.action)).toEqual([
      "regrade.applied",
      "regrade.started",
    ]);
  });
});
