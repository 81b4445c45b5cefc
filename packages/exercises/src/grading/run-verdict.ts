import type { ExerciseDefinition, SubmissionPayload, Verdict } from "@stepwise/core/contracts";
import type { PreparedTraining } from "./prepare";
import type { TrainAndPredictResult } from "./run";
import { diagnoseRun, scoreTraining, type ScoreData } from "./score";
import { scoreOverfit } from "./score-overfit";
import { divergedVerdict, timedOutVerdict } from "./verdicts";

/** A finished training run → its verdict: diverged, over the time budget, or scored on the hidden labels. */
export function verdictFromRun(input: {
  exercise: ExerciseDefinition;
  prepared: PreparedTraining;
  payload: SubmissionPayload;
  result: TrainAndPredictResult;
  testLabels: Int32Array | Float32Array;
  data?: ScoreData;
}): Verdict {
  const { exercise, prepared, result } = input;
  const { report } = result;
  const environment = { backend: report.backend, tfjsVersion: report.tfjsVersion, seed: report.seed, durationMs: report.durationMs };
  const epochs = prepared.training.fit.epochs;
  if (report.stopReason === "diverged") {
    // The harness stops inside the epoch whose loss stopped being finite, before recording it: the
    // checklist sees that epoch as the NaN it was, so loss-nan names what happened.
    const last = report.history.at(-1);
    const history =
      last && !Number.isFinite(last.loss)
        ? report.history
        : [...report.history, { epoch: report.history.length + 1, loss: Number.NaN, seconds: 0 }];
    const diagnostics = diagnoseRun({ prepared, report: { ...report, history }, ...(input.data ? { data: input.data } : {}) });
    return divergedVerdict({
      epoch: report.history.length + 1,
      history: report.history,
      learningRate: prepared.training.compile.learningRate,
      environment,
      diagnostics,
    });
  }
  if (report.stopReason === "budget") {
    return timedOutVerdict({
      limitSeconds: exercise.budgets.maxSeconds,
      lastEpoch: report.history.length,
      epochs,
      history: report.history,
      environment,
    });
  }
  if (result.predictions.length !== input.testLabels.length) {
    throw new Error(`the training run returned ${result.predictions.length} predictions for ${input.testLabels.length} test examples`);
  }
  // Each training step has its own verifier: 5 beats the baseline, 6 overfits.
  const score = exercise.step === 6 ? scoreOverfit : scoreTraining;
  return score({
    ...input,
    report,
    predictions: result.predictions,
    outputStd: result.outputStd,
    ...(result.scores ? { scores: result.scores } : {}),
  });
}
