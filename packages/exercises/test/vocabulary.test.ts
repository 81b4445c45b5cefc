/**
 * IMDB's step-4 vocabulary carries forward: `withDecisions` places the exercise on it (dataset,
 * starter model, text), and `prepareTraining` holds a model's input to it. No training here: what
 * is asserted is which models are accepted, with which data, and what a refusal says.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { ValidationError, type SubmissionPayload } from "@stepwise/core/contracts";
import { initBackend, type Tf } from "@stepwise/core/backend";
import { getExercise, withOverrides } from "../src";
import { prepareTraining, withDecisions } from "../src/grading";
import { solutions } from "../src/solutions";
import { starterSubmission } from "./starters";

const reference = (id: string): SubmissionPayload => {
  const payload = solutions[id]?.reference;
  if (!payload) throw new Error(`no reference for ${id}`);
  return structuredClone(payload);
};

/** An Embedding model over padded sequences of `length` words with an embedding table of `inputDim` rows. */
function embeddingModel(tf: Tf, exerciseId: string, inputDim: number, length = 50): SubmissionPayload {
  const model = tf.sequential();
  model.add(tf.layers.embedding({ inputDim, outputDim: 8, inputLength: length }));
  model.add(tf.layers.globalAveragePooling1d());
  model.add(tf.layers.dense({ units: 1, activation: "sigmoid" }));
  try {
    const topology = model.toJSON(null, false) as Record<string, unknown>;
    return { exerciseId, model: { format: "tfjs", topology }, training: reference(exerciseId).training };
  } finally {
    model.dispose();
  }
}

describe("withDecisions places an IMDB exercise on the project's vocabulary", () => {
  let tf: Tf;
  beforeAll(async () => {
    tf = (await initBackend()).tf;
  });

  it.each(["imdb-beat-baseline", "imdb-overfit", "imdb-regularize"])(
    "%s: dataset, starter model and text follow step 4's 2,000 words",
    (id) => {
      const exercise = getExercise(id);
      const placed = withDecisions(exercise, { vocabularySize: 2000 });
      expect(placed.dataset).toEqual({ kind: "imdb", vocabularySize: 2000, fixedVocabulary: true });
      expect(placed.starterCode).toContain("inputShape: [2000]");
      expect(placed.starterCode).not.toContain("10000");
      expect(placed.summary).toContain("the 2,000 most frequent training words you chose in step 4");
      // Everything else is the exercise's own: thresholds, budgets, seed.
      expect({ ...placed, dataset: exercise.dataset, starterCode: exercise.starterCode, summary: exercise.summary }).toEqual(exercise);
      // Idempotent: the grader places the exercise in resolveJob and gradeSubmission places it again.
      expect(withDecisions(placed, { vocabularySize: 2000 })).toEqual(placed);
      // The starter, run as the browser runs it, is a model the grader accepts, and it trains on 2,000 words.
      const starter = starterSubmission(placed, tf);
      expect(prepareTraining(placed, starter, placed.seed).dataset).toEqual({ kind: "imdb", vocabularySize: 2000 });
    },
  );

  it("the starter comment states the vocabulary", () => {
    expect(withDecisions(getExercise("imdb-beat-baseline"), { vocabularySize: 5000 }).starterCode).toContain(
      "width 5000 receives each\n// review as a multi-hot vector over the 5,000 most frequent training words",
    );
  });

  it.each([
    ["no decisions", getExercise("imdb-beat-baseline"), undefined],
    ["decisions without a vocabulary", getExercise("imdb-beat-baseline"), { metric: "accuracy" as const }],
    ["another dataset", getExercise("mnist-beat-baseline"), { vocabularySize: 2000 }],
  ])("%s: the exercise as it is", (_case, exercise, decisions) => {
    expect(withDecisions(exercise, decisions)).toBe(exercise);
  });

  it("a model built for another vocabulary is refused, naming the input width expected", () => {
    const placed = withDecisions(getExercise("imdb-beat-baseline"), { vocabularySize: 2000 });
    const wide = reference("imdb-beat-baseline");
    expect(() => prepareTraining(placed, wide, placed.seed)).toThrow(ValidationError);
    expect(() => prepareTraining(placed, wide, placed.seed)).toThrow(
      "Your project's vocabulary is the 2,000 most frequent training words (chosen in step 4), so the model's input must have width 2000 (inputShape: [2000], a multi-hot vector over those words); this model's input shape is [batch, 10000].",
    );
    // Outside a project (or before step 4 passed) the model's input chooses the vocabulary, as before.
    expect(prepareTraining(getExercise("imdb-beat-baseline"), wide, 1).dataset).toEqual({ kind: "imdb", vocabularySize: 10000 });
  });

  it("an Embedding's input_dim must be the vocabulary + 2; its sequence length stays the model's", () => {
    const placed = withDecisions(getExercise("imdb-overfit"), { vocabularySize: 2000 });
    expect(() => prepareTraining(placed, embeddingModel(tf, placed.id, 10_002), placed.seed)).toThrow(
      /so an Embedding's input_dim must be 2002 .*; this model's is 10002\./,
    );
    expect(prepareTraining(placed, embeddingModel(tf, placed.id, 2002, 80), placed.seed).dataset).toEqual({
      kind: "imdb",
      vocabularySize: 2000,
      sequenceLength: 80,
    });
  });

  it("an instructor's vocabulary override adapts the starter the same way, and fixes the vocabulary only when it says so", () => {
    const exercise = withOverrides(getExercise("imdb-beat-baseline"), { dataset: { kind: "imdb", vocabularySize: 5000 } });
    expect(exercise.starterCode).toContain("inputShape: [5000]");
    expect(exercise.dataset).toEqual({ kind: "imdb", vocabularySize: 5000 });
    expect(prepareTraining(exercise, reference("imdb-beat-baseline"), 1).dataset).toEqual({ kind: "imdb", vocabularySize: 10000 });
    // `fixedVocabulary: true` holds models to the instructor's vocabulary as a step-4 choice does.
    const fixed = withOverrides(getExercise("imdb-beat-baseline"), {
      dataset: { kind: "imdb", vocabularySize: 5000, fixedVocabulary: true },
    });
    expect(() => prepareTraining(fixed, reference("imdb-beat-baseline"), 1)).toThrow(/input must have width 5000/);
    // A guided student's step 4 then decides, over the instructor's default.
    expect(withDecisions(exercise, { vocabularySize: 3000 }).starterCode).toContain("inputShape: [3000]");
  });
});
