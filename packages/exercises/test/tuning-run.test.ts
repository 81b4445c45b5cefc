/**
 * A real tuning search on a small MNIST slice: three trials of two epochs on 1,000 training
 * examples, selected on validation, then the selected configuration retrained on train+validation
 * and evaluated once on 500 test examples. The test labels sit behind an accessor that fails the
 * run if anything reads them before every trial has ended.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend, type BackendInfo } from "@stepwise/core/backend";
import { getExercise } from "../src";
import { loadTestLabels, loadTrainingData } from "../src/grading";
import { tally } from "../src/grading/evaluate";
import {
  finalTraining,
  prepareTrials,
  trainFinalInProcess,
  tuneOn,
  TuningResult,
  TuningSearch,
  type FinalData,
  type TuningTrial,
} from "../src/tuning";
import { cacheDir, referenceOf, withFitSettings } from "./experiment-models";

let backend: BackendInfo;
beforeAll(async () => {
  backend = await initBackend();
});

const base = getExercise("mnist-regularize");
const student = referenceOf("mnist-regularize");
// Two epochs keep the three trials and the final training within seconds.
const payload = withFitSettings(student, { epochs: 2, batchSize: 64 });
const slice = { trainLimit: 1_000, testLimit: 500 };
const exercise = { ...base, data: slice };
const search = TuningSearch.parse({ strategy: "grid", trials: 3, space: { learningRate: [1e-6, 0.001, 0.003] } });

/** The data of the run, with test labels that record when and how often they are read. */
function trappedData(total: number) {
  const { train, testInputs } = loadTrainingData(exercise.dataset, { slice, seed: exercise.seed, cacheDir });
  const labels = loadTestLabels(exercise.dataset, { slice, seed: exercise.seed, cacheDir });
  const ended: TuningTrial[] = [];
  let reads = 0;
  const final: FinalData = {
    train,
    testInputs,
    testLabels: () => {
      // Selection must be over: a read before the last trial ended fails the whole run.
      if (ended.length < total) throw new Error(`test labels read during selection, after ${ended.length} of ${total} trials`);
      reads += 1;
      return labels;
    },
  };
  return { data: { selection: { train }, final }, ended, reads: () => reads, labels, final };
}

describe("a tuning search on MNIST", () => {
  let result: TuningResult;
  let trap: ReturnType<typeof trappedData>;

  beforeAll(async () => {
    trap = trappedData(3);
    result = await tuneOn(exercise, payload, search, trap.data, {
      tf: backend.tf,
      maxTrials: 8,
      onTrial: (trial) => trap.ended.push(trial),
    });
  });

  it("runs every trial on validation, and reads the test labels once, after the last trial", () => {
    expect(result.trials.map((t) => [t.index, t.values.learningRate, t.status])).toEqual([
      [1, 1e-6, "ok"],
      [2, 0.001, "ok"],
      [3, 0.003, "ok"],
    ]);
    expect(trap.reads()).toBe(1);
    for (const trial of result.trials) {
      expect(trial.history).toHaveLength(2);
      expect(trial.history.every((row) => row.valAccuracy !== undefined)).toBe(true);
      expect(trial.params).toBe(669_706); // the reference model: 784-512-512-10
      expect(trial.gap).toBeCloseTo((trial.training ?? 0) - (trial.validation ?? 0), 10);
    }
    expect(result.metric).toEqual({ name: "accuracy", higherIsBetter: true, split: "validation" });
    expect(result.trainExamples).toBe(1_000);
    expect(TuningResult.parse(JSON.parse(JSON.stringify(result)))).toEqual(result);
  });

  it("selects the trial with the best validation accuracy (a frozen learning rate loses)", () => {
    const scores = result.trials.map((t) => t.validation ?? -1);
    const best = scores.indexOf(Math.max(...scores)) + 1;
    expect(result.selected).toBe(best);
    expect(result.selected).not.toBe(1);
    expect(result.trials[0]?.validation).toBeLessThan(0.5);
  });

  it("retrains the selected configuration on train+validation for its best epoch and evaluates it once on test", async () => {
    const selected = result.trials.find((t) => t.index === result.selected);
    if (result.final.status !== "evaluated" || !selected?.bestEpoch)
      throw new Error(`expected an evaluated final model, got ${JSON.stringify(result.final)}`);
    expect(result.final).toMatchObject({ metric: "accuracy", epochs: selected.bestEpoch, trainExamples: 1_000, testExamples: 500 });
    expect(result.final.test).toBeGreaterThan(0.75);
    expect(result.final.interval?.lower).toBeLessThan(result.final.test);
    // The same final training, done here by hand, gives the same predictions: the number is that model's.
    const [trial] = prepareTrials(exercise, payload, [selected.values]);
    if (!trial || !("prepared" in trial)) throw new Error("the selected trial prepares");
    const prepared = { ...trial.prepared, training: finalTraining(trial.prepared.training, selected.bestEpoch) };
    const again = await trainFinalInProcess(backend.tf, { prepared, data: trap.final, seed: exercise.seed, maxSeconds: 120 });
    expect(tally(again.predictions, trap.labels, 10).correct / 500).toBeCloseTo(result.final.test, 10);
  });

  it("fails the run, naming it, when selection would read the test labels", async () => {
    const early = trappedData(3);
    // A final phase that runs before the trials end stands in for a selection that peeks at test.
    const peeking = { ...early.data, selection: { train: early.data.selection.train }, final: early.final };
    const run = tuneOn(exercise, payload, { ...search, trials: 3 }, peeking, {
      tf: backend.tf,
      maxTrials: 8,
      onTrial: (trial) => {
        if (trial.index === 1) early.final.testLabels();
      },
    });
    await expect(run).rejects.toThrow("test labels read during selection, after 0 of 3 trials");
  });
});
