import { assignmentById, assignmentsForCourse } from "@stepwise/db";
import type { ExperimentSettings, ToolboxSettings } from "@stepwise/exercises/course";
import { strFromU8, strToU8, unzipSync, zipSync } from "fflate";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { world, type World } from "./helpers";

let w: World;
beforeEach(async () => {
  w = await world();
});
afterEach(async () => {
  await w.cleanup();
});

const settings: { experiments: ExperimentSettings; toolbox: ToolboxSettings } = {
  experiments: { allowed: ["loss-per-batch", "lr-range-test"], computeSeconds: 120 },
  toolbox: { allowed: ["early-stopping", "tuning"], tuningTrials: 4, testEvaluations: 2 },
};

describe("the instructor's experiments and toolbox settings", () => {
  it("are stored through the override path, shown to students, and round-tripped by the course folder", async () => {
    const teacher = await w.as(w.instructor);
    const created = await teacher.assignment.create({ courseId: w.courseId, exerciseId: "mnist-regularize", overrides: settings });
    expect((await assignmentById(w.db, created.id))?.overrides).toEqual(settings);

    const student = await w.as(w.student);
    expect((await student.assignment.byId({ assignmentId: created.id })).assignment.testEvaluations).toEqual({ used: 0, limit: 2 });

    const { zipBase64 } = await teacher.folder.export({ courseId: w.courseId });
    const files = Object.fromEntries(
      Object.entries(unzipSync(new Uint8Array(Buffer.from(zipBase64, "base64")))).map(([p, d]) => [
        p.slice(p.indexOf("/") + 1),
        strFromU8(d),
      ]),
    );
    const file = Object.entries(files).find(([path]) => path.endsWith("mnist-regularize.yaml"))?.[1];
    expect(file).toContain("experiments:\n  allowed:\n    - loss-per-batch\n    - lr-range-test\n  computeSeconds: 120\n");
    expect(file).toContain("toolbox:\n  allowed:\n    - early-stopping\n    - tuning\n  tuningTrials: 4\n  testEvaluations: 2\n");

    const zip = Buffer.from(zipSync(Object.fromEntries(Object.entries(files).map(([p, t]) => [p, strToU8(t)])))).toString("base64");
    const { course } = await teacher.folder.import({ zipBase64: zip });
    const imported = (await assignmentsForCourse(w.db, course.id)).find((a) => a.exerciseId === "mnist-regularize");
    expect(imported?.overrides).toEqual(settings);

    // Editing: a lower limit takes effect for the student at once.
    await teacher.assignment.update({
      assignmentId: created.id,
      overrides: { ...settings, toolbox: { ...settings.toolbox, testEvaluations: 1 } },
    });
    expect((await student.assignment.byId({ assignmentId: created.id })).assignment.testEvaluations).toEqual({ used: 0, limit: 1 });
  });

  it.each([
    ["0 test evaluations", { toolbox: { testEvaluations: 0 } }, /overrides\.toolbox\.testEvaluations/],
    ["51 tuning trials", { toolbox: { tuningTrials: 51 } }, /overrides\.toolbox\.tuningTrials/],
    ["an unknown technique", { toolbox: { allowed: ["telepathy"] } }, /overrides\.toolbox\.allowed\.0/],
    ["an unknown experiment", { experiments: { allowed: ["astrology"] } }, /overrides\.experiments\.allowed\.0/],
    ["a negative compute budget", { experiments: { computeSeconds: -1 } }, /overrides\.experiments\.computeSeconds/],
  ])("refuses %s with BAD_REQUEST naming the field, and stores nothing", async (_label, overrides, path) => {
    const teacher = await w.as(w.instructor);
    const before = (await assignmentsForCourse(w.db, w.courseId)).length;
    await expect(
      teacher.assignment.create({ courseId: w.courseId, exerciseId: "mnist-regularize", overrides: overrides as never }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(path) as unknown,
    });
    expect(await assignmentsForCourse(w.db, w.courseId)).toHaveLength(before);
  });
});
