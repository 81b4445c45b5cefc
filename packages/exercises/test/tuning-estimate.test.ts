/**
 * The cost estimate of a tuning search, against a simulated grader calibration (its published
 * throughput): what it charges, how successive halving lowers it, and the search it proposes when the
 * declared one does not fit the budget left.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { SubmissionPayload } from "@stepwise/core/contracts";
import { parseModelSpec, trainingSeconds } from "@stepwise/core/model";
import { getExercise } from "../src";
import { estimateTuning, proposeSearch, scheduleEpochs, TuningSearch, WARM_TRAINING_OVERHEAD_SECONDS } from "../src/tuning";

const exercise = getExercise("mnist-regularize");
const student = SubmissionPayload.parse(
  JSON.parse(readFileSync(fileURLToPath(new URL("./fixtures/mnist-step7-small.json", import.meta.url)), "utf8")),
);
if (!student.model || !student.training) throw new Error("the fixture has a model and training settings");
const flops = parseModelSpec(student.model).summary.trainingFlopsPerExample;
const epochs = student.training.fit.epochs;
const split = student.training.fit.validationSplit;
const search = (s: Partial<TuningSearch>): TuningSearch =>
  TuningSearch.parse({ strategy: "random", trials: 8, space: { learningRate: { min: 1e-4, max: 1e-2, scale: "log" } }, ...s });
const overheadSeconds = 3;

describe("estimateTuning", () => {
  it.each([2, 8, 20])(
    "charges, at %d G multiply-adds/s, each training's work over the calibrated throughput plus a child's fixed cost",
    (gflops) => {
      const estimate = estimateTuning(exercise, student, search({ trials: 1 }), { gflops, maxTrials: 8, overheadSeconds });
      // One trial on 48,000 examples validated on 12,000 each epoch; the final model on 60,000, then 10,000 test predictions.
      const trial = (flops * (60_000 * (1 - split) + (60_000 * split) / 3) * epochs) / (gflops * 1e9);
      const final = (flops * 60_000 * epochs + (flops * 10_000) / 3) / (gflops * 1e9);
      expect(estimate.seconds).toBeCloseTo(2 * overheadSeconds + trial + final, 6);
      expect(estimate.trainings).toBe(2);
    },
  );

  it.each([
    [30, 0.002],
    [8, 0.01],
  ])(
    "with the graders' measured training speed (%s G/s on products, %s s a step) charges each epoch its steps and its multiply-adds",
    (gflops, stepSeconds) => {
      const batch = student.training?.fit.batchSize ?? 0;
      const training = { gflops, stepSeconds };
      // The matmul-derived figure is not read when the measured one is there.
      const estimate = estimateTuning(exercise, student, search({ trials: 1 }), { gflops: 1, training, maxTrials: 8, overheadSeconds });
      const trainOn = 60_000 * (1 - split);
      const trial = (Math.ceil(trainOn / batch) * stepSeconds + (flops * (trainOn + (60_000 * split) / 3)) / (gflops * 1e9)) * epochs;
      const final =
        (Math.ceil(60_000 / batch) * stepSeconds + (flops * 60_000) / (gflops * 1e9)) * epochs + (flops * 10_000) / 3 / (gflops * 1e9);
      expect(estimate.seconds).toBeCloseTo(2 * overheadSeconds + trial + final, 6);
    },
  );

  it("adds every epoch's steps to its multiply-adds: at the same throughput, the difference is the steps' cost", () => {
    const training = { gflops: 30, stepSeconds: 0.002 };
    const options = { gflops: 30, maxTrials: 8, overheadSeconds: 0 };
    const measured = estimateTuning(exercise, student, search({ trials: 1 }), { ...options, training }).seconds;
    const byMultiplyAdds = estimateTuning(exercise, student, search({ trials: 1 }), options).seconds;
    const batch = student.training?.fit.batchSize ?? 0;
    // The difference is exactly the steps: the trial's and the final model's, each epoch.
    const steps = (Math.ceil((60_000 * (1 - split)) / batch) + Math.ceil(60_000 / batch)) * epochs;
    expect(measured - byMultiplyAdds).toBeCloseTo(steps * 0.002, 6);
  });

  it.each([
    [1.25, 3],
    [0.8, 0],
  ])("scales the whole search, the children's fixed cost too, by the graders' correction (%s, %s s a child)", (correction, overhead) => {
    const training = { gflops: 30, stepSeconds: 0.002 };
    const options = { gflops: 30, training, maxTrials: 8, overheadSeconds: overhead };
    const plain = estimateTuning(exercise, student, search({ trials: 3 }), options);
    const corrected = estimateTuning(exercise, student, search({ trials: 3 }), { ...options, correction });
    expect(corrected.seconds).toBeCloseTo(plain.seconds * correction, 6);
    expect(corrected.trainings).toBe(plain.trainings);
    // No correction published: the estimate is the calibration's.
    expect(estimateTuning(exercise, student, search({ trials: 3 }), { ...options, correction: undefined }).seconds).toBe(plain.seconds);
  });

  it("charges a search what the correction is learnt against: the sum of its trainings' `trainingSeconds`", () => {
    // A grader whose trainings take exactly what `trainingSeconds` charges learns a correction of 1; the
    // estimate must then be exact too, or the correction would fix one and leave the other off.
    const training = { gflops: 30, stepSeconds: 0.002 };
    const estimate = estimateTuning(exercise, student, search({ trials: 1 }), {
      gflops: 30,
      training,
      maxTrials: 8,
      overheadSeconds: WARM_TRAINING_OVERHEAD_SECONDS,
    });
    const batchSize = student.training?.fit.batchSize ?? 0;
    const trainingFlopsPerExample = flops;
    const trial = {
      trainingFlopsPerExample,
      work: { train: 60_000 * (1 - split), evaluate: 60_000 * split, batchSize },
      epochs,
      predicted: 0,
    };
    const final = { trainingFlopsPerExample, work: { train: 60_000, evaluate: 0, batchSize }, epochs, predicted: 10_000 };
    expect(estimate.seconds).toBeCloseTo(trainingSeconds(trial, training) + trainingSeconds(final, training), 6);
  });

  it("ignores a correction without the measured training speed it corrects", () => {
    const options = { gflops: 8, maxTrials: 8, overheadSeconds };
    const plain = estimateTuning(exercise, student, search({ trials: 2 }), options).seconds;
    expect(estimateTuning(exercise, student, search({ trials: 2 }), { ...options, correction: 2 }).seconds).toBe(plain);
  });

  it.each([
    [2, 8],
    [3, 8],
    [3, 20],
  ])("with halving (factor %d, %d trials) charges the schedule's trial-epochs, not every trial in full", (factor, trials) => {
    const options = { gflops: 8, maxTrials: 50, overheadSeconds: 0 };
    const cost = (s: Partial<TuningSearch>) => estimateTuning(exercise, student, search(s), options);
    // Only the learning rate varies, so every trial costs the same per epoch: c, and the final model F.
    const one = cost({ trials: 1 }).seconds;
    const full = cost({ trials }).seconds;
    const perEpoch = (full - one) / ((trials - 1) * epochs);
    const final = one - perEpoch * epochs;
    const halved = cost({ trials, halving: { factor } });
    expect(halved.schedule.length).toBeGreaterThan(1);
    expect(halved.seconds).toBeCloseTo(perEpoch * scheduleEpochs(halved.schedule) + final, 6);
    expect(halved.seconds).toBeLessThan(full);
  });

  it("refuses, as the grader would, a search the assignment does not allow", () => {
    expect(() => estimateTuning(exercise, student, search({ trials: 9 }), { gflops: 8, maxTrials: 8, overheadSeconds })).toThrow(
      "at most 8 trials",
    );
  });
});

describe("proposeSearch", () => {
  const options = { gflops: 8, maxTrials: 8, overheadSeconds };
  const declared = search({ trials: 8 });
  const cost = (s: TuningSearch) => estimateTuning(exercise, student, s, options).seconds;

  it("proposes nothing when the declared search fits", () => {
    expect(proposeSearch(exercise, student, declared, { ...options, leftSeconds: cost(declared) })).toBeNull();
  });

  it("proposes the same trials with successive halving when that fits", () => {
    const halved = cost({ ...declared, halving: { factor: 3 } });
    const proposal = proposeSearch(exercise, student, declared, { ...options, leftSeconds: halved + 1 });
    expect(proposal?.search).toMatchObject({ trials: 8, halving: { factor: expect.any(Number) as number } });
    expect(proposal?.estimate.seconds).toBeLessThanOrEqual(halved + 1);
  });

  it("proposes the most trials that fit, with halving, when halving alone does not", () => {
    const four = cost({ ...declared, trials: 4, halving: { factor: 3 } });
    const proposal = proposeSearch(exercise, student, declared, { ...options, leftSeconds: four + 0.01 });
    expect(proposal?.search).toMatchObject({ strategy: "random", trials: 4, halving: { factor: 3 } });
    expect(proposal?.estimate.seconds).toBeCloseTo(four, 6);
  });

  it("proposes nothing when not even two trials fit", () => {
    expect(proposeSearch(exercise, student, declared, { ...options, leftSeconds: 1 })).toBeNull();
  });
});
