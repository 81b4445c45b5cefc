/**
 * A guided project's step-2/3/4 decisions on the grader's path, with real training on the credit
 * table and an MNIST slice: the metric reported first (and what accuracy hides), the protocol the
 * runs validate with, the preparation applied to the inputs, all in the verdict's environment; and
 * step 7's dropped columns.
 */
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { ProjectDecisions, SubmissionPayload } from "@stepwise/core/contracts";
import { initBackend, type BackendInfo } from "@stepwise/core/backend";
import { keptFeatures } from "@stepwise/core/datasets";
import { getExercise } from "../src";
import { csvText } from "../src/answers/facts";
import { CSV_SPLIT_SEED } from "@stepwise/core/datasets";
import { csvGrading, gradeSubmission, inProcessRunner, runFingerprint, type GradingRun, type GradingRunner } from "../src/grading";
import { solutions } from "../src/solutions";

const cacheDir = join(import.meta.dirname, "..", "..", "..", "data", "cache");
/** Small and quick: what is asserted is where the decisions go, not how good the model gets. */
const SLICE = { trainLimit: 400, testLimit: 300 };
const reference = (id: string, epochs = 3): SubmissionPayload => {
  const payload = solutions[id]?.reference;
  if (!payload) throw new Error(`no reference for ${id}`);
  const copy = structuredClone(payload);
  if (copy.training) copy.training.fit.epochs = Math.min(copy.training.fit.epochs, epochs);
  return copy;
};

/** The same model with a first layer taking `width` inputs (a table with columns dropped). */
function withInputWidth(payload: SubmissionPayload, width: number): SubmissionPayload {
  const copy = structuredClone(payload);
  const topology =
    copy.model?.format === "tfjs" ? (copy.model.topology as { config: { layers: { config: Record<string, unknown> }[] } }) : undefined;
  const first = topology?.config.layers[0]?.config;
  if (!first) throw new Error("expected a tfjs Sequential model");
  first.batch_input_shape = [null, width];
  return copy;
}

describe("a guided project's decisions reach the grader", () => {
  let backend: BackendInfo;
  beforeAll(async () => {
    backend = await initBackend();
  });

  // Training is bitwise reproducible, so a run whose fingerprint (model, training settings, seed,
  // split, data, backend: what the grader's step-7 reuse compares) was trained already in this file
  // returns that training's result: several cases here differ only in what the verdict reports (the
  // metric), not in what trains. Every distinct run still trains for real.
  const trained = new Map<string, ReturnType<GradingRunner>>();
  const trainOnce: GradingRunner = (run) => {
    const key = runFingerprint(run, { backend: backend.backend }).fingerprint;
    let result = trained.get(key);
    if (!result) {
      result = inProcessRunner({ tf: backend.tf, backend: backend.backend, tfjsVersion: backend.tfjsVersion, cacheDir })(run);
      trained.set(key, result);
    }
    return result;
  };

  /** Grades in-process like `gradeLocally`, recording what each run was asked to train on. */
  async function grade(
    id: string,
    payload: SubmissionPayload,
    options: { decisions?: ProjectDecisions; slice?: { trainLimit?: number; testLimit?: number }; previous?: SubmissionPayload } = {},
  ) {
    const exercise = getExercise(id);
    const runs: GradingRun[] = [];
    const { dataset } = exercise;
    const verdict = await gradeSubmission({
      exercise,
      payload,
      slice: { ...exercise.data, ...SLICE, ...options.slice },
      cacheDir,
      ...(dataset.kind === "csv" ? { readCsv: () => ({ text: csvText(dataset, {}), splitSeed: CSV_SPLIT_SEED }) } : {}),
      ...(options.decisions ? { decisions: options.decisions } : {}),
      ...(options.previous ? { previous: options.previous } : {}),
      run: (run) => {
        runs.push(run);
        return trainOnce(run);
      },
    });
    return { verdict, runs };
  }

  it.each<[string, ProjectDecisions["metric"], string[]]>([
    ["accuracy: reported first, with the rare class's recall beside it", "accuracy", ["testAccuracy", "hiddenRecall"]],
    ["precision and recall: recall first, precision beside it", "precision-recall", ["recall", "precision"]],
    ["F1 first", "f1", ["f1"]],
    ["ROC AUC first, from the model's scores", "roc-auc", ["rocAuc"]],
  ])("step 5 on the imbalanced credit table, metric %s", async (_name, metric, lead) => {
    const { verdict } = await grade("credit-beat-baseline", reference("credit-beat-baseline"), { decisions: { metric } });
    expect(Object.keys(verdict.metrics).slice(0, lead.length)).toEqual(lead);
    expect(verdict.metrics[lead[0] ?? ""]?.label).toMatch(/your metric \(step 2\)$/);
    expect(verdict.environment?.decisions).toEqual({ metric });
    if (metric === "accuracy") {
      expect(verdict.metrics.hiddenRecall?.label).toMatch(/^What accuracy hides: recall for default = 1, the rare class/);
      expect(verdict.summary).toMatch(
        /Accuracy, your metric from step 2, hides the rare class: the model finds \d+% of the \d+ test rows with default = 1/,
      );
    }
    if (metric === "roc-auc") expect(verdict.metrics.rocAuc?.value).toBeGreaterThan(0.5);
  });

  it.each<["precision-recall" | "f1" | undefined, RegExp, string]>([
    ["precision-recall", /^Test recall of the final model/, "recall"],
    ["f1", /^Test F1 of the final model/, "f1"],
    [undefined, /^Test accuracy/, "testAccuracy"],
  ])("step 7 on the credit table, metric %s: the target check and row speak it", async (metric, message, key) => {
    const { verdict } = await grade("credit-regularize", reference("credit-regularize"), {
      previous: reference("credit-overfit"),
      ...(metric ? { decisions: { metric } } : {}),
    });
    const check = verdict.checks.find((c) => c.id === "reaches-target");
    expect(check?.message).toMatch(message);
    const target = getExercise("credit-regularize");
    expect(verdict.metrics.target?.value).toBe(metric ? target.metricTargets?.[metric] : target.target);
    if (metric) expect(verdict.metrics.target?.label).toMatch(/\(your metric, step 2\)$/);
    // The check compares the measured metric with the target: it passes exactly when the value reaches it.
    expect(check?.passed).toBe((verdict.metrics[key]?.value ?? Number.NaN) >= (verdict.metrics.target?.value ?? Number.NaN));
  });

  it("an independent course's verdict keeps the exercise's order and records no decisions", async () => {
    const { verdict } = await grade("credit-beat-baseline", reference("credit-beat-baseline"));
    expect(Object.keys(verdict.metrics)[0]).toBe("testAccuracy");
    expect(verdict.metrics.hiddenRecall).toBeUndefined();
    expect(verdict.environment?.decisions).toBeUndefined();
  });

  it.each<[string, ProjectDecisions["protocol"], (run: GradingRun) => void]>([
    [
      "hold-out with step 3's fraction replaces the submission's split",
      { kind: "holdout", validationSplit: 0.3 },
      (run) => {
        expect(run.prepared.training.fit.validationSplit).toBe(0.3);
        expect(run.prepared.training.validation).toBeUndefined();
      },
    ],
    [
      "K-fold trains K folds and the final model, with (K + 1) × the time budget",
      { kind: "kfold", folds: 4, chosenFolds: 4 },
      (run) => {
        expect(run.prepared.training.validation).toEqual({ kind: "kfold", folds: 4 });
        expect(run.maxSeconds).toBe(getExercise("credit-beat-baseline").budgets.maxSeconds * 5);
      },
    ],
  ])("protocol: %s", async (_name, protocol, expectRun) => {
    const { verdict, runs } = await grade("credit-beat-baseline", reference("credit-beat-baseline"), { decisions: { protocol } });
    expect(runs).toHaveLength(1);
    expectRun(runs[0] as GradingRun);
    expect(verdict.environment?.decisions?.protocol).toEqual(protocol);
    if (protocol?.kind === "kfold") {
      expect(Object.keys(verdict.metrics).filter((k) => /^fold\d$/.test(k))).toEqual(["fold1", "fold2", "fold3", "fold4"]);
      expect(verdict.summary).toMatch(/K-fold \(K = 4\) validation accuracy/);
    }
  });

  it.each<[string, "standardize" | "min-max" | "none", (inputs: Float32Array, width: number) => void, boolean | undefined]>([
    // Standardized incomes keep their outliers (beyond ±10 on this table): the checklist may say so.
    [
      "standardize: numeric training columns have mean 0",
      "standardize",
      (x, w) => expect(Math.abs(columnMean(x, w, 1))).toBeLessThan(1e-3),
      undefined,
    ],
    ["min-max: numeric training columns lie in [0, 1]", "min-max", (x, w) => expect(columnRange(x, w, 1)).toEqual([0, 1]), false],
    ["none: incomes stay in euros", "none", (x, w) => expect(columnRange(x, w, 1)[1]).toBeGreaterThan(1_000), true],
  ])("preparation on a table — %s, fitted on training rows only", async (_name, scaling, expectInputs, diagnosed) => {
    const { verdict, runs } = await grade("credit-beat-baseline", reference("credit-beat-baseline"), {
      decisions: { preparation: { scaling, fittedOn: "training" } },
    });
    const csv = runs[0]?.csv;
    if (!csv) throw new Error("expected encoded rows");
    expectInputs(csv.trainInputs, csv.inputSize);
    expect(verdict.environment?.decisions?.preparation).toEqual({ scaling, fittedOn: "training" });
    // A poor choice is not a hidden penalty: it shows in the diagnostics (and the curves).
    if (diagnosed !== undefined) expect(verdict.diagnostics.some((d) => d.code === "inputs-not-normalized")).toBe(diagnosed);
  });

  it.each<["none" | "min-max", boolean]>([
    ["none", true],
    ["min-max", false],
  ])("step 7 after preparation %s in step 4: the checklist points at unscaled inputs exactly when they are", async (scaling, diagnosed) => {
    const preparation = { scaling, fittedOn: "training" } as const;
    const { verdict } = await grade("credit-regularize", reference("credit-regularize"), {
      previous: reference("credit-overfit"),
      decisions: { preparation },
    });
    expect(verdict.environment?.decisions?.preparation).toEqual(preparation);
    const found = verdict.diagnostics.find((d) => d.code === "inputs-not-normalized");
    expect(Boolean(found)).toBe(diagnosed);
    // Incomes in euros: the largest input is in the 100,000s.
    if (found) expect(found.message).toMatch(/^Your inputs range from 0 to 1\.\d+e\+5;/);
  });

  it("preparation on MNIST: standardized pixels are what the run loads (training statistics)", async () => {
    const payload = reference("mnist-beat-baseline", 1);
    const { verdict, runs } = await grade("mnist-beat-baseline", payload, {
      slice: { trainLimit: 500, testLimit: 200 },
      decisions: { preparation: { scaling: "standardize", fittedOn: "training" } },
    });
    expect(runs[0]?.scaling).toBe("standardize");
    expect(verdict.environment?.decisions?.preparation?.scaling).toBe("standardize");
    expect(verdict.diagnostics.map((d) => d.code)).not.toContain("inputs-not-normalized");
  });
});

describe("step 7: add or remove features on a table", () => {
  let backend: BackendInfo;
  beforeAll(async () => {
    backend = await initBackend();
  });
  const full = csvGrading(
    csvText(getExercise("credit-regularize").dataset as Extract<ReturnType<typeof getExercise>["dataset"], { kind: "csv" }>, {}),
    { kind: "csv", file: "credit-default.csv", target: "default", task: "binary" },
    { seed: 1337, slice: {} },
  );

  it("drops a categorical column: the model trains on the narrower table, the step-6 model on the whole one", async () => {
    const drop = ["region"];
    const width = keptFeatures(full.facts.featureNames, { drop }, { file: "credit-default.csv" }).length;
    expect(width).toBeLessThan(full.facts.inputSize);
    const payload = withInputWidth(reference("credit-regularize"), width);
    if (payload.training) payload.training.features = { drop };
    const exercise = getExercise("credit-regularize");
    const runs: GradingRun[] = [];
    const verdict = await gradeSubmission({
      exercise,
      payload,
      slice: { ...exercise.data, ...SLICE },
      cacheDir,
      readCsv: () => ({
        text: csvText(exercise.dataset as Extract<typeof exercise.dataset, { kind: "csv" }>, {}),
        splitSeed: CSV_SPLIT_SEED,
      }),
      previous: reference("credit-overfit"),
      run: (run) => {
        runs.push(run);
        return inProcessRunner({ tf: backend.tf, backend: backend.backend, tfjsVersion: backend.tfjsVersion, cacheDir })(run);
      },
    });
    expect(verdict.status).not.toBe("invalid");
    expect(runs.map((r) => [r.label, r.csv?.inputSize])).toEqual([
      ["before", full.facts.inputSize],
      ["after", width],
      ["final", width],
    ]);
    expect(verdict.curves.history.length).toBeGreaterThan(0);
  });

  it.each<[string, string, RegExp]>([
    [
      "an unknown column is named",
      "regoin",
      /features\.drop names `regoin`, which is not an input column of credit-default\.csv; its input columns are `age`/,
    ],
    ["the target cannot be dropped", "default", /`default` is the target of credit-default\.csv/],
  ])("refuses before training: %s", async (_name, column, message) => {
    const payload = reference("credit-regularize");
    if (payload.training) payload.training.features = { drop: [column] };
    const exercise = getExercise("credit-regularize");
    let trained = 0;
    const verdict = await gradeSubmission({
      exercise,
      payload,
      slice: exercise.data,
      readCsv: () => ({
        text: csvText(exercise.dataset as Extract<typeof exercise.dataset, { kind: "csv" }>, {}),
        splitSeed: CSV_SPLIT_SEED,
      }),
      previous: reference("credit-overfit"),
      run: () => {
        trained++;
        throw new Error("must not train");
      },
    });
    expect(verdict.status).toBe("invalid");
    expect(verdict.summary).toMatch(message);
    expect(trained).toBe(0);
  });

  it("is step 7's, on tables only", async () => {
    const payload = reference("credit-beat-baseline");
    if (payload.training) payload.training.features = { drop: ["region"] };
    const exercise = getExercise("credit-beat-baseline");
    const verdict = await gradeSubmission({
      exercise,
      payload,
      slice: exercise.data,
      readCsv: () => ({
        text: csvText(exercise.dataset as Extract<typeof exercise.dataset, { kind: "csv" }>, {}),
        splitSeed: CSV_SPLIT_SEED,
      }),
      run: () => Promise.reject(new Error("must not train")),
    });
    expect(verdict).toMatchObject({
      status: "invalid",
      summary: expect.stringMatching(/Adding or removing features is part of step 7/) as unknown,
    });
  });
});

function columnMean(inputs: Float32Array, width: number, column: number): number {
  let sum = 0;
  const n = inputs.length / width;
  for (let r = 0; r < n; r++) sum += inputs[r * width + column] ?? 0;
  return sum / n;
}

function columnRange(inputs: Float32Array, width: number, column: number): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let r = 0; r < inputs.length / width; r++) {
    const v = inputs[r * width + column] ?? 0;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return [Math.round(lo * 1e6) / 1e6, Math.round(hi * 1e6) / 1e6];
}
