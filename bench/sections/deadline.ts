import { join } from "node:path";
import { runTsWorker } from "../lib/child";
import { coresNeeded, simulate, type StepCost } from "../lib/deadline";
import { percentile, fmt } from "../lib/stats";
import type { Section } from "../lib/types";

interface Graded {
  exerciseId: string;
  step: number;
  seconds: number;
  status: string;
  /** Step 7: how its before-run was had (the step-6 run reused, or retrained and why). */
  before?: string;
}

const STUDENTS = 200;
const WINDOW_SECONDS = 3600;
/** Attempts per student in the hour before a deadline: quizzes retried, training steps resubmitted. */
const ATTEMPTS: Record<number, number> = { 1: 1.5, 2: 1.5, 3: 1.5, 4: 1.5, 5: 2, 6: 2, 7: 1.5 };
/** Half the class on each dataset. */
const DATASETS = ["mnist", "imdb"] as const;
const EXERCISE_OF_STEP: Record<number, string> = {
  1: "define-problem",
  2: "choose-metric",
  3: "evaluation-protocol",
  4: "prepare-data",
  5: "beat-baseline",
  6: "overfit",
  7: "regularize",
};
/** Two grader processes on 2 cores, measured by the grader section (verdicts/min 2 processes ÷ 1); used when it did not run. */
const DEFAULT_SPEEDUP = 1.71;
const TARGET_UTILISATION = 0.7;

/**
 * Deadline sizing: measure what one job of each step costs a grader slot (reference submissions,
 * full data, one thread), then simulate 200 students' last hour against 1 and 2 grader processes.
 */
export const deadline: Section = {
  name: "deadline",
  title: "A deadline hour: time to verdict with 1 and 2 graders",
  async run(ctx) {
    const cacheDir = join(ctx.repoDir, "data", "cache");
    const costs: StepCost[] = [];
    const measured: string[][] = [];
    const befores = new Set<string>();
    for (const dataset of DATASETS) {
      // Steps 1–4 are answer checks of the same cost: one is measured for all four.
      let answerSeconds = 0;
      for (const step of [1, 5, 6, 7]) {
        const exerciseId = `${dataset}-${EXERCISE_OF_STEP[step] ?? ""}`;
        ctx.log(`deadline: grading the ${exerciseId} reference (full data)`);
        const graded = await runTsWorker<Graded>(ctx.repoDir, "grade", { exerciseId, cacheDir }, 1_800_000);
        measured.push([dataset, String(step), graded.status, fmt(graded.seconds)]);
        if (graded.before) befores.add(graded.before);
        if (step === 1) answerSeconds = graded.seconds;
        else
          costs.push({
            key: `${dataset} step ${step}`,
            step,
            seconds: graded.seconds,
            perStudent: (ATTEMPTS[step] ?? 1) / DATASETS.length,
          });
      }
      for (const step of [1, 2, 3, 4])
        costs.push({ key: `${dataset} step ${step}`, step, seconds: answerSeconds, perStudent: (ATTEMPTS[step] ?? 1) / DATASETS.length });
    }
    const speedup = ctx.metrics.get("grader.scaling") ?? DEFAULT_SPEEDUP;
    const rows: string[][] = [];
    const stepRows: string[][] = [];
    let submissions = 0;
    let meanSeconds = 0;
    for (const graders of [1, 2]) {
      const result = simulate({
        students: STUDENTS,
        windowSeconds: WINDOW_SECONDS,
        costs,
        graders,
        speedup: graders === 1 ? 1 : speedup,
        seed: 7,
      });
      const waits = result.jobs.map((j) => (j.done ?? 0) - j.arrival).sort((a, b) => a - b);
      submissions = result.jobs.length;
      meanSeconds = result.jobs.reduce((s, j) => s + j.service, 0) / result.jobs.length;
      rows.push([
        String(graders),
        String(result.jobs.length),
        fmt(percentile(waits, 50)),
        fmt(percentile(waits, 95)),
        `${fmt((result.makespan - WINDOW_SECONDS) / 60)} min`,
        `${Math.round(result.utilisation * 100)} %`,
      ]);
      for (const step of [1, 5, 6, 7]) {
        const forStep = result.jobs
          .filter((j) => (step === 1 ? j.step <= 4 : j.step === step))
          .map((j) => (j.done ?? 0) - j.arrival)
          .sort((a, b) => a - b);
        stepRows.push([String(graders), step === 1 ? "1–4" : String(step), fmt(percentile(forStep, 50)), fmt(percentile(forStep, 95))]);
      }
    }
    // Arrivals ∝ t: the last minutes run at twice the hour's mean rate.
    const peakPerHour = 2 * submissions;
    const cores = coresNeeded(peakPerHour, meanSeconds, TARGET_UTILISATION);
    ctx.metrics.set("deadline.cores", cores);
    return {
      tables: [
        {
          title: "Grading seconds per job (reference submission, full data, fresh process, wasm + OpenBLAS, one thread)",
          header: ["dataset", "step", "status", "seconds"],
          rows: measured,
        },
        {
          title: `Time to verdict, seconds, ${STUDENTS} students in the hour before a deadline`,
          header: ["grader processes", "submissions", "p50", "p95", "last verdict after the deadline", "utilisation"],
          rows,
        },
        { title: "Time to verdict by step, seconds", header: ["grader processes", "step", "p50", "p95"], rows: stepRows },
      ],
      notes: [
        `Step 7 is timed as the grader runs it once the student's step 6 is graded: the step-6 reference is graded first (untimed) and step 7 reuses its recorded run, training the regularized and the final model (verdicts said: ${[...befores].join(" / ") || "nothing"}).`,
        `Mix: half the class on MNIST, half on IMDB; attempts per student ${Object.entries(ATTEMPTS)
          .map(([s, a]) => `step ${s} ${a}`)
          .join(
            ", ",
          )}; arrivals rise linearly to the deadline (density ∝ t, seed 7); the queue claims as \`claimJob\` does (fewest running jobs of the student, then least recently claimed student, then oldest).`,
        `Two processes run at ${fmt(speedup)}× one (${ctx.metrics.has("grader.scaling") ? "measured by the grader section of this run" : "the grader section's last measurement"}); each slot of two is slowed to ${fmt(speedup / 2)}× even when the other is idle (pessimistic).`,
        `Sizing rule: grader cores ≈ peak submissions/hour × mean grading seconds ÷ 3600 ÷ target utilisation = ${peakPerHour} × ${fmt(meanSeconds)} ÷ 3600 ÷ ${TARGET_UTILISATION} ≈ ${fmt(cores)} for this class (peak = twice the hour's mean under this arrival curve).`,
      ],
    };
  },
};
