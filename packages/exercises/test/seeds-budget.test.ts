/**
 * N seeds per model count N× against maxSeconds in the submit-time estimate, like K-fold, and the
 * message says so. Real data: the credit CSV as the grader encodes it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BudgetError, SubmissionPayload } from "@stepwise/core/contracts";
import { getExercise } from "../src";
import { builtInDataDir } from "../src/answers";
import { gradingFacts, loadGradingData, prepareTraining } from "../src/grading";
import { solutions } from "../src/solutions";

describe("the time budget with several seeds", () => {
  const exercise = getExercise("credit-beat-baseline");
  const credit = { kind: "csv", file: "credit-default.csv", target: "default", task: "binary" } as const;
  const creditText = readFileSync(join(builtInDataDir, "credit-default.csv"), "utf8");
  const facts = gradingFacts(loadGradingData(credit, { slice: {}, seed: exercise.seed, csvText: creditText }), credit).prepare;
  const reference = solutions["credit-beat-baseline"]?.reference;
  if (!reference?.training) throw new Error("missing the credit reference");
  const payload = SubmissionPayload.parse({
    ...reference,
    training: {
      ...reference.training,
      validation: { kind: "holdout" },
      fit: { ...reference.training.fit, epochs: 100, batchSize: 32, validationSplit: 0.2 },
    },
  });

  // Just above the slowest grader throughput at which one run (one seed) fits in maxSeconds.
  const gflopsFor = (submission: SubmissionPayload) => {
    const fits = (gflops: number) => {
      try {
        prepareTraining(exercise, submission, 1, { ...facts, graderGflops: gflops });
        return true;
      } catch (error) {
        if (error instanceof BudgetError) return false;
        throw error;
      }
    };
    let low = 1e-9;
    let high = 1e6;
    for (let i = 0; i < 60; i++) {
      const mid = Math.sqrt(low * high);
      if (fits(mid)) high = mid;
      else low = mid;
    }
    return high * 1.05;
  };

  it("one seed within the budget, three seeds about 3× over it: rejected, and the message names the seeds", () => {
    const gflops = gflopsFor(payload);
    expect(() => prepareTraining(exercise, payload, 1, { ...facts, graderGflops: gflops })).not.toThrow();
    expect(() => prepareTraining(exercise, payload, 1, { ...facts, graderGflops: gflops, seeds: 1 })).not.toThrow();
    expect(() => prepareTraining(exercise, payload, 1, { ...facts, graderGflops: gflops, seeds: 3 })).toThrow(BudgetError);
    expect(() => prepareTraining(exercise, payload, 1, { ...facts, graderGflops: gflops, seeds: 3 })).toThrow(
      /retrains every model with 3 seeds, 3× the training of one run: about [\d.,]+ seconds for 100 epochs on 1,600 training examples; this exercise allows 120 \(2\.\d× over\)/,
    );
  });

  it("K-fold with seeds counts seeds × folds", () => {
    const kfold = SubmissionPayload.parse({ ...payload, training: { ...payload.training, validation: { kind: "kfold", folds: 5 } } });
    const gflops = gflopsFor(kfold);
    expect(() => prepareTraining(exercise, kfold, 1, { ...facts, graderGflops: gflops })).not.toThrow();
    expect(() => prepareTraining(exercise, kfold, 1, { ...facts, graderGflops: gflops, seeds: 3 })).toThrow(
      /3 seeds, 3× the training of one run \(each a K-fold run with K = 5\)/,
    );
  });
});
