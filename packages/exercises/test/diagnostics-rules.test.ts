/**
 * Every rule of the debugging checklist triggered by a real model on real data through the
 * grader's own path (`gradeLocally`): the rules `diagnostics.test.ts` does not cover. Each case
 * changes one thing in a reference solution (or in the instructor's CSV) and expects the diagnostic
 * a teacher would give. Rules that no graded run can reach say why, and the test proves the reason.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { SubmissionPayload, Verdict } from "@stepwise/core/contracts";
import { initBackend, type BackendInfo } from "@stepwise/core/backend";
import { labelsNeedScaling } from "@stepwise/core/verify";
import { getExercise, withOverrides } from "../src";
import { builtInDataDir } from "../src/answers";
import { sortedByTarget, withOutliers } from "../src/gallery";
import { csvGrading, GRADING_RULES, gradeLocally, prepareTraining, trainingDataSummary } from "../src/grading";
import { solutions } from "../src/solutions";

const cacheDir = join(import.meta.dirname, "..", "..", "..", "data", "cache");
const slice = { trainLimit: 1_500, testLimit: 500 };

type Layer = { class_name: string; config: Record<string, unknown> };
type Editable = SubmissionPayload & {
  model: { topology: { config: { layers: Layer[] } } };
  training: NonNullable<SubmissionPayload["training"]>;
};
type Change = (p: Editable) => void;

function edit(exerciseId: string, change: Change): SubmissionPayload {
  const copy = structuredClone(solutions[exerciseId]?.reference) as Editable;
  change(copy);
  return copy;
}
const output = (p: Editable): Record<string, unknown> => p.model.topology.config.layers.at(-1)?.config ?? {};
const compile =
  (changes: Partial<Editable["training"]["compile"]>): Change =>
  (p) => {
    p.training.compile = { ...p.training.compile, ...changes };
  };
const codes = (verdict: { diagnostics: { code: string }[] }) => verdict.diagnostics.map((d) => d.code);

let backend: BackendInfo;
beforeAll(async () => {
  backend = await initBackend();
});

// The gallery (gallery.test.ts) regrades the other mistakes: a sigmoid head on prices, SGD at 0.6 on
// prices, Adam at 0.5 and at 10 on MNIST; the data cases below keep their controls.
describe("the checklist on the curves and the wiring of real trainings", () => {
  const cases: [string, string, string, Change][] = [
    ["IMDB trained with meanSquaredError", "imdb-beat-baseline", "loss-task-mismatch", compile({ loss: "meanSquaredError" })],
    // Adam at 0.2 on the multi-hot matrix: 2.3 after epoch 1, 6.6 after epoch 2, before settling.
    ["IMDB with Adam at learning rate 0.2", "imdb-beat-baseline", "loss-exploding", compile({ optimizer: "adam", learningRate: 0.2 })],
    // SGD at 0.1 moves the loss (more than 1 %, so not flat) but it ends at ln 2: nothing learned yet.
    ["IMDB with SGD at learning rate 0.1", "imdb-beat-baseline", "loss-at-chance", compile({ optimizer: "sgd", learningRate: 0.1 })],
  ];

  it.each(cases)("%s (%s) → %s", async (_name, exerciseId, code, change) => {
    const verdict = await gradeLocally(getExercise(exerciseId), edit(exerciseId, change), { ...backend, slice, cacheDir });
    expect(codes(verdict), `${verdict.status}: ${verdict.summary}`).toContain(code);
  });

  it("a diverged run names loss-nan with the learning rate to try, and no rule that needs test predictions", async () => {
    const verdict = await gradeLocally(
      getExercise("houses-beat-baseline"),
      edit("houses-beat-baseline", compile({ optimizer: "sgd", learningRate: 0.6 })),
      { ...backend, slice, cacheDir },
    );
    expect(verdict.status).toBe("diverged");
    const nan = verdict.diagnostics.find((d) => d.code === "loss-nan");
    expect(nan?.hint).toMatch(/0\.06/);
    expect(codes(verdict)).not.toContain("constant-predictions");
  });
});

describe("the data rules on an instructor's CSV, as the grader feeds it", () => {
  const creditText = readFileSync(join(builtInDataDir, "credit-default.csv"), "utf8");
  const housesText = readFileSync(join(builtInDataDir, "house-prices.csv"), "utf8");

  const credit = withOverrides(getExercise("credit-beat-baseline"), {
    dataset: { kind: "csv", file: "credit-sorted.csv", target: "default", task: "binary" },
  });
  const creditRun = (shuffle: boolean) =>
    gradeLocally(
      credit,
      {
        ...edit("credit-beat-baseline", (p) => {
          p.training.fit = { ...p.training.fit, shuffle, epochs: 3 };
        }),
        exerciseId: credit.id,
      },
      { ...backend, cacheDir, csvText: sortedByTarget(creditText) },
    );

  it("a CSV sorted by its target with shuffling off → labels-not-shuffled", async () => {
    const verdict = await creditRun(false);
    expect(codes(verdict), verdict.summary).toContain("labels-not-shuffled");
  });

  it("the same file with shuffling on is fed in a new seeded order every epoch: no labels-not-shuffled", async () => {
    const verdict = await creditRun(true);
    expect(codes(verdict), verdict.summary).not.toContain("labels-not-shuffled");
  });

  it("a column with extreme outliers is still ±10 after standardizing → inputs-not-normalized", async () => {
    const houses = withOverrides(getExercise("houses-beat-baseline"), {
      dataset: { kind: "csv", file: "houses-outliers.csv", target: "price", task: "regression" },
    });
    const payload = {
      ...edit("houses-beat-baseline", (p) => {
        p.training.fit = { ...p.training.fit, epochs: 3 };
      }),
      exerciseId: houses.id,
    };
    const verdict = await gradeLocally(houses, payload, { ...backend, cacheDir, csvText: withOutliers(housesText) });
    const found = verdict.diagnostics.find((d) => d.code === "inputs-not-normalized");
    expect(found?.message, verdict.summary).toMatch(/range from/);
    // The untouched table, standardized the same way, stays within ±10.
    const clean = await gradeLocally(
      getExercise("houses-beat-baseline"),
      edit("houses-beat-baseline", (p) => {
        p.training.fit = { ...p.training.fit, epochs: 3 };
      }),
      { ...backend, cacheDir },
    );
    expect(codes(clean)).not.toContain("inputs-not-normalized");
  });

  it("labels-need-scaling cannot fire on a graded run: the grader standardizes the targets the model fits, so it is not in the graded checklist", () => {
    const exercise = getExercise("houses-beat-baseline");
    const reference = solutions["houses-beat-baseline"]?.reference;
    if (!reference || exercise.dataset.kind !== "csv") throw new Error("missing the house-price exercise");
    const grading = csvGrading(housesText, exercise.dataset, { seed: exercise.seed, slice: {} });
    const prepared = prepareTraining(exercise, reference, exercise.seed, { csv: { ...grading.facts, numClasses: 1 } });
    const summary = trainingDataSummary(prepared, { slice: {}, seed: exercise.seed, csv: grading.training });
    // Raw prices vary by about $100k; what the model fits has std 1.
    expect(grading.training.targetScale?.std).toBeGreaterThan(10_000);
    expect(summary.labelStd).toBeCloseTo(1, 2);
    expect(summary.examples).toBe(grading.facts.trainSize);
    expect(GRADING_RULES).not.toContain(labelsNeedScaling);
  });
});

describe("wiring rules the grader rejects before any training", () => {
  // The label encoding refuses these heads with a message that says what fits, so the submission is
  // `invalid` (no attempt used) and the diagnostic rule itself never sees a trained model.
  it.each<[string, string, Change, RegExp]>([
    [
      "softmax over 2 units with binaryCrossentropy (softmax-binary-crossentropy)",
      "imdb-beat-baseline",
      (p) => {
        output(p).units = 2;
        output(p).activation = "softmax";
      },
      /2 units; binaryCrossentropy needs 1/,
    ],
    [
      "3 output units on a binary task (output-units-mismatch)",
      "imdb-beat-baseline",
      (p) => {
        output(p).units = 3;
        output(p).activation = "softmax";
        compile({ loss: "categoricalCrossentropy" })(p);
      },
      /3 units/,
    ],
    [
      "12 output units on 10 digits (output-units-mismatch)",
      "mnist-beat-baseline",
      (p) => {
        output(p).units = 12;
      },
      /12 units; categoricalCrossentropy with 10 classes needs 10/,
    ],
  ])("%s", async (_name, exerciseId, change, message) => {
    const verdict = await gradeLocally(getExercise(exerciseId), edit(exerciseId, change), { ...backend, slice, cacheDir });
    expect(verdict.status).toBe("invalid");
    expect(verdict.summary).toMatch(message);
  });
});

describe("a binary task takes either head", () => {
  // Keras' common IMDB idiom is Dense(2, softmax) with sparse (or one-hot) categorical
  // cross-entropy; it answers the same two classes as one sigmoid unit with binaryCrossentropy.
  // The sigmoid reference every case compares with is graded once: each case only reads its verdict.
  let sigmoid: Promise<Verdict> | undefined;
  it.each<[string, Change]>([
    [
      "2 softmax units with sparseCategoricalCrossentropy",
      (p) => {
        output(p).units = 2;
        output(p).activation = "softmax";
        compile({ loss: "sparseCategoricalCrossentropy" })(p);
      },
    ],
    [
      "2 softmax units with categoricalCrossentropy",
      (p) => {
        output(p).units = 2;
        output(p).activation = "softmax";
        compile({ loss: "categoricalCrossentropy" })(p);
      },
    ],
  ])("IMDB step 5 with %s passes and reports the metrics of the sigmoid head", async (_name, change) => {
    const exercise = getExercise("imdb-beat-baseline");
    sigmoid ??= gradeLocally(
      exercise,
      edit("imdb-beat-baseline", () => undefined),
      { ...backend, slice, cacheDir },
    );
    const softmax = await gradeLocally(exercise, edit("imdb-beat-baseline", change), { ...backend, slice, cacheDir });
    expect(softmax.status, softmax.summary).toBe("passed");
    expect(Object.keys(softmax.metrics).sort()).toEqual(Object.keys((await sigmoid).metrics).sort());
    expect(softmax.metrics.testAccuracy?.value).toBeGreaterThan(0.6);
  });
});
