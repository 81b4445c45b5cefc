/**
 * Successive halving: the schedule (pure), which trials continue, and a real search on a small MNIST
 * slice that trains every trial for one epoch and continues only the best for all three.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend, type BackendInfo } from "@stepwise/core/backend";
import type { TrainingReport } from "@stepwise/core/contracts";
import { getExercise } from "../src";
import { loadTestLabels, loadTrainingData } from "../src/grading";
import {
  halvingSchedule,
  promote,
  runTuning,
  scheduleEpochs,
  scoreFinal,
  trainFinalInProcess,
  trainTrial,
  TuningSearch,
  type TrialInfo,
} from "../src/tuning";
import { cacheDir, referenceOf } from "./experiment-models";

describe("halvingSchedule", () => {
  it.each([
    // trials, epochs, factor, rungs as [trials, epochs]
    [8, 15, undefined, [[8, 15]]],
    [
      8,
      15,
      3,
      [
        [8, 2],
        [2, 5],
        [1, 15],
      ],
    ],
    [
      9,
      9,
      3,
      [
        [9, 1],
        [3, 3],
        [1, 9],
      ],
    ],
    [
      8,
      16,
      2,
      [
        [8, 1],
        [4, 2],
        [2, 4],
        [1, 16],
      ],
    ],
    [
      3,
      15,
      3,
      [
        [3, 2],
        [1, 15],
      ],
    ],
    [
      3,
      3,
      3,
      [
        [3, 1],
        [1, 3],
      ],
    ],
    [27, 2, 3, [[27, 2]]],
    [1, 15, 3, [[1, 15]]],
    [8, 1, 3, [[8, 1]]],
    [
      4,
      20,
      4,
      [
        [4, 2],
        [1, 20],
      ],
    ],
    [
      50,
      40,
      3,
      [
        [50, 2],
        [16, 5],
        [5, 14],
        [1, 40],
      ],
    ],
  ] as const)("%i trials of %i epochs, factor %s", (trials, epochs, factor, expected) => {
    const rungs = halvingSchedule(trials, epochs, factor === undefined ? undefined : { factor });
    expect(rungs.map((r) => [r.trials, r.epochs])).toEqual(expected);
    // Every schedule ends with its survivors trained for all the epochs, and each rung trains longer, fewer.
    expect(rungs.at(-1)?.epochs).toBe(epochs);
    for (const [a, b] of rungs.slice(1).map((r, i) => [rungs[i], r] as const)) {
      expect(b.epochs).toBeGreaterThan(a?.epochs ?? 0);
      expect(b.trials).toBeLessThan(a?.trials ?? Infinity);
    }
  });

  it("costs a fraction of training every trial in full", () => {
    expect(scheduleEpochs(halvingSchedule(8, 15, { factor: 3 }))).toBe(8 * 2 + 2 * 5 + 15);
    expect(scheduleEpochs(halvingSchedule(8, 15))).toBe(8 * 15);
  });

  it.each([
    [0, 5, "at least one trial, got 0"],
    [3, 0, "at least one epoch, got 0"],
  ])("refuses %i trials of %i epochs", (trials, epochs, message) => {
    expect(() => halvingSchedule(trials, epochs, { factor: 3 })).toThrow(message);
  });
});

describe("promote", () => {
  const scores = [
    { index: 1, validation: 0.5 },
    { index: 2, validation: 0.9 },
    { index: 3, validation: null },
    { index: 4, validation: 0.9 },
    { index: 5, validation: Number.NaN },
    { index: 6, validation: 0.7 },
  ];
  it.each([
    [1, true, [2]],
    [2, true, [2, 4]],
    [3, true, [2, 4, 6]],
    [6, true, [1, 2, 4, 6]],
    [2, false, [1, 6]],
  ])("keeps the best %i (higher is better: %s), earlier on ties, never an unscored trial", (keep, higher, expected) => {
    expect(promote(scores, keep, higher)).toEqual(expected);
  });
});

describe("a halving search on MNIST", () => {
  let backend: BackendInfo;
  beforeAll(async () => {
    backend = await initBackend();
  });

  const base = getExercise("mnist-regularize");
  const student = referenceOf("mnist-regularize");
  if (!student.training) throw new Error("the reference has training settings");
  const payload = { ...student, training: { ...student.training, fit: { ...student.training.fit, epochs: 3, batchSize: 64 } } };
  const slice = { trainLimit: 600, testLimit: 300 };
  const exercise = { ...base, data: slice };
  const search = TuningSearch.parse({ strategy: "grid", trials: 3, space: { learningRate: [1e-6, 0.001, 0.003] }, halving: { factor: 3 } });

  it("trains every trial for one epoch, continues only the best for all three, and selects among the continued", async () => {
    const { train, testInputs } = loadTrainingData(exercise.dataset, { slice, seed: exercise.seed, cacheDir });
    const runs: { info: TrialInfo; report: TrainingReport }[] = [];
    const result = await runTuning({
      exercise,
      payload,
      search,
      maxTrials: 8,
      runTrial: async (prepared, info) => {
        const report = await trainTrial(backend.tf, {
          prepared,
          selection: { train },
          seed: exercise.seed,
          splitSeed: exercise.seed,
          maxSeconds: 120,
        });
        runs.push({ info, report });
        return { report, trainExamples: train.n };
      },
      runFinal: async (prepared) => {
        const testLabels = loadTestLabels(exercise.dataset, { slice, seed: exercise.seed, cacheDir });
        const { report, predictions } = await trainFinalInProcess(backend.tf, {
          prepared,
          data: { train, testInputs, testLabels: () => testLabels },
          seed: exercise.seed,
          maxSeconds: 120,
        });
        return scoreFinal({
          predictions,
          testLabels,
          task: prepared.task,
          epochs: prepared.training.fit.epochs,
          trainExamples: train.n,
          seconds: report.durationMs / 1000,
        });
      },
    });

    expect(result.schedule).toEqual([
      { trials: 3, epochs: 1 },
      { trials: 1, epochs: 3 },
    ]);
    expect(runs.map((r) => [r.info.index, r.info.epochs, r.report.history.length])).toEqual([
      [1, 1, 1],
      [2, 1, 1],
      [3, 1, 1],
      [result.selected, 3, 3],
    ]);
    // The continued trial is the best after one epoch; the frozen learning rate is never it.
    const firstRung = runs.slice(0, 3).map((r) => r.report.history[0]?.valAccuracy ?? -1);
    expect(result.selected).toBe(firstRung.indexOf(Math.max(...firstRung)) + 1);
    expect(result.selected).not.toBe(1);
    expect(result.trials.find((t) => t.index === result.selected)).toMatchObject({ status: "ok", epochs: 3 });
    for (const trial of result.trials.filter((t) => t.index !== result.selected)) {
      expect(trial).toMatchObject({ status: "pruned", epochs: 1 });
      expect(trial.reason).toContain("not among the best 1 of 3 on validation after 1 of 3 epochs");
    }
    // Continuing retrains from the seed: its first epoch repeats the one-epoch run bitwise.
    const metricsOf = (report: TrainingReport | undefined) => report?.history.slice(0, 1).map(({ seconds: _time, ...metrics }) => metrics);
    expect(metricsOf(runs[3]?.report)).toEqual(metricsOf(runs[(result.selected ?? 0) - 1]?.report));
    expect(result.final).toMatchObject({ status: "evaluated", testExamples: 300 });
  });
});
