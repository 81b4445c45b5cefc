/**
 * One grading of a reference submission in a fresh process, full data, as the grader's training
 * child runs it (wasm + OpenBLAS, one thread): what one job of that step costs a grader slot.
 * Input (argv[2], JSON): { exerciseId, cacheDir }. Step 7 is compared with the step-6 reference as
 * the grader compares it once the student's step 6 is graded: the step-6 reference is graded first,
 * untimed, and step 7 reuses its recorded run (and says so in `before`).
 */
import { initBackend } from "@stepwise/core/backend";
import type { SubmissionPayload } from "@stepwise/core/contracts";
import { findExercise } from "@stepwise/exercises";
import { gradeAnswers } from "@stepwise/exercises/answers";
import { gradeLocally, type RunRecord } from "@stepwise/exercises/grading";
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
let started = performance.now();
let status: string;
let before: string | undefined;
if (exercise.step <= 4) {
  status = gradeAnswers(exercise, reference).status;
} else {
  const backend = await initBackend({ prefer: ["wasm"], blas: "auto" });
  const options = { ...backend, cacheDir: input.cacheDir };
  let previous: { previous: SubmissionPayload; previousRun?: RunRecord } | undefined;
  if (exercise.step === 7) {
    const previousId = input.exerciseId.replace(/-regularize$/, "-overfit");
    const step6 = findExercise(previousId);
    const payload = solutions[previousId]?.reference;
    if (!step6 || !payload) throw new Error(`expected the step-6 exercise and reference of ${input.exerciseId}, got ${previousId}`);
    const run = (await gradeLocally(step6, payload, options)).environment?.run;
    previous = { previous: payload, ...(run ? { previousRun: run } : {}) };
    started = performance.now();
  }
  const verdict = await gradeLocally(exercise, reference, { ...options, ...previous });
  status = verdict.status;
  before = verdict.environment?.before;
}
emitResult({
  exerciseId: input.exerciseId,
  step: exercise.step,
  seconds: (performance.now() - started) / 1000,
  status,
  ...(before ? { before } : {}),
  peakRssMb: peakRssMb(),
});
