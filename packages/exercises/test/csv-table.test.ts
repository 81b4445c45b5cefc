/**
 * Exercises placed on an instructor's table: the starter model is made from that table (input width,
 * output and loss per task), so the grader's own path takes it — the built-in table's starter, with
 * its 19 inputs, is refused there for shape.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { ExerciseDefinition, SubmissionPayload } from "@stepwise/core/contracts";
import { initBackend, type BackendInfo } from "@stepwise/core/backend";
import { CSV_SPLIT_SEED } from "@stepwise/core/datasets";
import { csvTitle, getExercise, onCsvTable, tableFacts, withOverrides, type CsvTableFacts } from "../src";
import { builtInDataDir, previewCsv } from "../src/answers";
import { gradeLocally, gradingFacts, loadGradingData, prepareTraining } from "../src/grading";

// 800 rows of the house table with fewer columns: a table none of the built-in exercises was written for.
const keep = [0, 1, 5, 6, 7, 9]; // area_m2, rooms, garage, type, neighbourhood, price
const table = `${readFileSync(join(builtInDataDir, "house-prices.csv"), "utf8")
  .trim()
  .split("\n")
  .slice(0, 801)
  .map((line) => keep.map((i) => line.split(",")[i]).join(","))
  .join("\n")}\n`;
const FILE = "data/uploaded.csv";

const cases = [
  { target: "price", task: "regression", exercises: ["houses-beat-baseline", "houses-overfit", "houses-regularize"] },
  { target: "type", task: "multiclass", exercises: ["houses-beat-baseline", "houses-overfit", "credit-regularize"] },
  { target: "garage", task: "binary", exercises: ["credit-beat-baseline", "credit-overfit", "credit-regularize"] },
] as const;

function placed(exerciseId: string, target: string, task: CsvTableFacts["task"]): { exercise: ExerciseDefinition; facts: CsvTableFacts } {
  const dataset = { kind: "csv" as const, file: FILE, target, task };
  const exercise = withOverrides(getExercise(exerciseId), { dataset });
  const facts = tableFacts(previewCsv(table, { file: FILE, target, task, splitSeed: CSV_SPLIT_SEED }));
  return { exercise: onCsvTable(exercise, facts, { ownHints: false }), facts };
}

let backend: BackendInfo;
beforeAll(async () => {
  backend = await initBackend();
});

/** The starter as the browser builds it: the code run with `tf` in scope, its topology sent. */
function starterPayload(exercise: ExerciseDefinition, epochs?: number): SubmissionPayload {
  if (!exercise.starterCode || !exercise.starterTraining) throw new Error(`${exercise.id} has no starter`);
  // Trusted code: the module's own starter.
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const build = new Function("tf", exercise.starterCode) as (tf: BackendInfo["tf"]) => { toJSON(a: undefined, b: boolean): unknown };
  const model = build(backend.tf);
  const training =
    epochs === undefined ? exercise.starterTraining : { ...exercise.starterTraining, fit: { ...exercise.starterTraining.fit, epochs } };
  return {
    exerciseId: exercise.id,
    model: { format: "tfjs", topology: model.toJSON(undefined, false) as Record<string, unknown> },
    training,
  };
}

describe.each(cases)("a starter on the table's $target ($task)", ({ target, task, exercises }) => {
  it("has the table's input width and the task's head, and says so", () => {
    const { exercise, facts } = placed(exercises[0], target, task);
    expect(exercise.starterCode).toContain(`inputShape: [${facts.inputSize}]`);
    expect(exercise.starterCode).toContain(
      task === "regression"
        ? "dense({ units: 1 })"
        : task === "binary"
          ? 'units: 1, activation: "sigmoid"'
          : 'units: 3, activation: "softmax"',
    );
    expect(exercise.starterTraining?.compile.loss).toBe(
      { regression: "meanSquaredError", binary: "binaryCrossentropy", multiclass: "categoricalCrossentropy" }[task],
    );
    expect(exercise.summary).toContain(`${FILE} holds 800 rows`);
    expect(exercise.summary).toContain(`as ${facts.inputSize} numbers`);
    expect(exercise.summary).not.toMatch(/credit|house-price|couple of thousand/i);
    expect(exercise.title).toMatch(new RegExp(`^Step 5 — .* on ${FILE}$`));
  });

  it("at step 5 is trained and scored by the local grading path, not refused", async () => {
    const { exercise } = placed(exercises[0], target, task);
    const verdict = await gradeLocally(exercise, starterPayload(exercise, 2), { ...backend, csvText: table });
    expect(verdict.status, verdict.summary).not.toMatch(/invalid|error/);
    expect(verdict.metrics[task === "regression" ? "testMae" : "testAccuracy"]).toBeDefined();
  });

  it.each([6, 7])("at step %i passes the grader's checks before training (shape, head, loss, budgets)", (step) => {
    const { exercise } = placed(exercises[step - 5] ?? "", target, task);
    expect(exercise.step).toBe(step);
    expect(exercise.summary).toContain("800 rows");
    expect(exercise.summary).not.toMatch(/credit|house-price|couple of thousand/i);
    const facts = gradingFacts(loadGradingData(exercise.dataset, { slice: {}, seed: exercise.seed, csvText: table }), exercise.dataset);
    const payload = starterPayload(exercise);
    expect(() => prepareTraining(exercise, payload, exercise.seed, facts.prepare)).not.toThrow();
  });
});

describe("the built-in table's starter on another table", () => {
  it("is refused for shape, naming the width that fits (what students got before starters were made from the table)", async () => {
    const exercise = withOverrides(getExercise("houses-beat-baseline"), {
      dataset: { kind: "csv", file: FILE, target: "price", task: "regression" },
    });
    const verdict = await gradeLocally(exercise, starterPayload(exercise, 2), { ...backend, csvText: table });
    expect(verdict.status).toBe("invalid");
    expect(verdict.summary).toMatch(/input shape \[batch, 19\] fits no encoding of data\/uploaded\.csv; accepted: \[12\]/);
  });
});

describe("csvTitle", () => {
  it.each([
    ["Step 6 — scale up until it overfits on the credit-default table", "Step 6 — scale up until it overfits on loans.csv"],
    ["My own title", "My own title (loans.csv)"],
  ])("%s → %s", (title, expected) => {
    expect(csvTitle(title, { file: "loans.csv" })).toBe(expected);
  });
});
