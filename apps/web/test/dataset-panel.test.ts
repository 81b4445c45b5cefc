import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getExercise, listExercises } from "@stepwise/exercises";
import { ANSWERED_BY, panelShows, pixelRange, type PanelShows } from "../src/components/panel-shows";
import { datasetView } from "../src/server/datasets";
import { world, type World } from "./helpers";

/**
 * The data panel above a step's questions shows the evidence, never the answer. Every question of
 * steps 1–4 is either answered by a panel fact (which that step must hide) or read off evidence the
 * panel shows on purpose (listed here, so a new question forces a decision).
 */
const EVIDENCE_ONLY = new Set([
  "input", // the training examples are shown
  "rarestClassShare", // read off the class balance table: the question is reading it
  "metric",
  "protocol",
  "folds",
  "validationFraction", // the number of training examples is the evidence
  "pixelScaling", // MNIST's raw shape and digits; the grader measures the range of the student's choice
  "fitOnTrainOnly",
]);
const facts = Object.keys(ANSWERED_BY) as (keyof PanelShows)[];
const answerSteps = listExercises().filter((e) => e.kind !== "training");

describe("the data panel hides what a step's questions ask", () => {
  it.each(answerSteps.map((e) => [e.id, e] as const))("%s", (_id, exercise) => {
    const shows = panelShows(exercise.step);
    for (const question of exercise.questions) {
      const answeredBy = facts.filter((fact) => ANSWERED_BY[fact].includes(question.id));
      expect(answeredBy.length > 0 || EVIDENCE_ONLY.has(question.id), `${question.id}: neither hidden nor listed as evidence`).toBe(true);
      for (const fact of answeredBy) expect(shows[fact], `${exercise.id} shows ${fact}, which answers ${question.id}`).toBe(false);
    }
  });

  it("shows each fact again once the step that asks for it is behind, and everything from step 5 on", () => {
    for (const fact of facts) {
      const askedAt = Math.max(...answerSteps.filter((e) => e.questions.some((q) => ANSWERED_BY[fact].includes(q.id))).map((e) => e.step));
      expect(panelShows(askedAt)[fact], fact).toBe(false);
      expect(panelShows(askedAt + 1)[fact], fact).toBe(true);
    }
    for (const step of [5, 6, 7]) expect(panelShows(step)).toEqual({ task: true, target: true, encodedInput: true });
  });
});

describe("the MNIST panel shows step 4's evidence: the raw pixel range", () => {
  let w: World;
  beforeAll(async () => {
    w = await world();
  });
  afterAll(async () => {
    await w.cleanup();
  });

  it("measures the grey levels of the training digits it shows: whole bytes from 0 to 255", async () => {
    const view = await datasetView(w.db, w.courseId, getExercise("mnist-prepare-data"));
    if (view.kind !== "mnist") throw new Error(`expected the MNIST view, got ${view.kind}`);
    expect(view.digits.length).toBeGreaterThan(5);
    expect(pixelRange(view.digits)).toEqual({ min: 0, max: 255 });
  });

  it("reads the bytes it is given, not a constant", () => {
    const bytes = (values: number[]) => Buffer.from(values).toString("base64");
    expect(pixelRange([{ pixels: bytes([3, 17]) }, { pixels: bytes([9, 120]) }])).toEqual({ min: 3, max: 120 });
  });
});
