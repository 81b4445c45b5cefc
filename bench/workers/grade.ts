/**
 * One grading of a reference submission in a fresh process, full data, as the grader's training
 * child runs it (wasm + OpenBLAS, one thread): what one job of that step costs a grader slot.
 * Input (argv[2], JSON): { exerciseId, cacheDir }. Step 7 is compared with the step-6 reference.
 */
import { initBackend } from "@stepwise/core/backend";
import { findExercise } from "@stepwise/exercises";
import { gradeAnswers } from "@stepwise/exercises/answers";
import { gradeLocally } from "@stepwise/exercises/grading";
import { answerSolutions, solutions } from "@stepwise/exercises/solutions";
import { emitResult, peakRssMb } from "../lib/child";

interface Input {
  exerciseId: string;
  cacheDir: string;
}

const input = JSON.parse(process.argv[2] ?? "{}") as Input;
const exercise = findExercise(input.exerciseId);
const reference = solutions[input.exerciseId]?.reference ?? answerSolutions[input.exerciseId]?.correct;
if (!exercise || !reference) throw new Error(`expected an exercise with a reference solution, got ${input.exerciseId}`);
const started = performance.now();
let status: string;
if (exercise.step <= 4) {
  status = gradeAnswers(exercise, reference).status;
} else {
  const previousId = exercise.step === 7 ? input.exerciseId.replace(/-regularize$/, "-overfit") : undefined;
  const previous = previousId ? solutions[previousId]?.reference : undefined;
  const backend = await initBackend({ prefer: ["wasm"], blas: "auto" });
  const verdict = await gradeLocally(exercise, reference, { ...backend, cacheDir: input.cacheDir, ...(previous ? { previous } : {}) });
  status = verdict.status;
}
emitResult({
  exerciseId: input.exerciseId,
  step: exercise.step,
  seconds: (performance.now() - started) / 1000,
  status,
  peakRssMb: peakRssMb(),
});
