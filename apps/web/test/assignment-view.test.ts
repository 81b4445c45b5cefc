import { getExercise } from "@stepwise/exercises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { world, type World } from "./helpers";

/** What a student sees of an assignment is the assignment, not the built-in exercise it places. */
let w: World;
beforeAll(async () => {
  w = await world();
});
afterAll(async () => {
  await w.cleanup();
});

describe("assignment.byId as the student sees it", () => {
  it("shows the instructor's title, baseline, target and budgets, and states them in the text", async () => {
    const teacher = await w.as(w.instructor);
    const created = await teacher.assignment.create({
      courseId: w.courseId,
      exerciseId: "mnist-regularize",
      title: "Week 7: make it generalize",
      overrides: { baseline: 0.3, target: 0.9, budgets: { maxEpochs: 12 } },
    });
    const { exercise } = await (await w.as(w.student)).assignment.byId({ assignmentId: created.id });
    const builtIn = getExercise("mnist-regularize");
    expect(exercise).toMatchObject({
      title: "Week 7: make it generalize",
      baseline: 0.3,
      target: 0.9,
      budgets: { ...builtIn.budgets, maxEpochs: 12 },
    });
    expect(exercise.summary).toContain("must reach 0.9.");
    expect(exercise.summary).not.toContain("0.975");
    expect(exercise.summary).toContain("baseline to 0.3");
  });

  it("shows the exercise's own title and text when the instructor changed nothing", async () => {
    const created = await (await w.as(w.instructor)).assignment.create({ courseId: w.courseId, exerciseId: "mnist-overfit" });
    const { exercise } = await (await w.as(w.student)).assignment.byId({ assignmentId: created.id });
    const builtIn = getExercise("mnist-overfit");
    expect(exercise).toMatchObject({
      title: builtIn.title,
      summary: builtIn.summary,
      baseline: builtIn.baseline,
      starterCode: builtIn.starterCode,
    });
  });
});
