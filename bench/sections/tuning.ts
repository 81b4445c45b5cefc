import { mkdtempSync } from "node:fs";
import { join } from "node:path";
import type { SubmissionPayload } from "@stepwise/core/contracts";
import { correctionFor, datasetKey } from "@stepwise/core/model";
import {
  cancelJob,
  createSubmissionWithJob,
  enqueueTuning,
  latestCalibration,
  progressSince,
  tuningRunById,
  type Db,
  type GraderSpeed,
  type TuningRun,
} from "@stepwise/db";
import { getExercise } from "@stepwise/exercises";
import { solutions } from "@stepwise/exercises/solutions";
import { estimateTuning, TuningSearch, WARM_TRAINING_OVERHEAD_SECONDS } from "@stepwise/exercises/tuning";
import { load1 } from "../lib/machine";
import { courseWithAssignment, enrolledStudent, freshDb, startGraders, stopAll, type Service } from "../lib/platform";
import { fmt } from "../lib/stats";
import type { Section, Table } from "../lib/types";

/**
 * The Tune form's default search on each step-7 reference (learning rate ÷3, ×1, ×3 and dropout −0.1,
 * ±0, +0.1 around the model's, 8 random trials, successive halving by 3: `defaultSearch` in the web app).
 */
const SEARCHES: Record<"mnist" | "imdb", TuningSearch> = {
  mnist: TuningSearch.parse({
    strategy: "random",
    trials: 8,
    space: { learningRate: [0.0003, 0.001, 0.003], dropout: [0.2, 0.3, 0.4] },
    halving: { factor: 3 },
  }),
  imdb: TuningSearch.parse({
    strategy: "random",
    trials: 8,
    space: { learningRate: [0.0003, 0.001, 0.003], dropout: [0.4, 0.5, 0.6] },
    halving: { factor: 3 },
  }),
};

/** The run labels' timestamps and the epochs between them: wall time of each training, and the part its epochs account for. */
async function trainings(
  db: Db,
  run: TuningRun,
): Promise<{ count: number; epochSeconds: number; wallSeconds: number; firstRunAfter: number }> {
  const events = await progressSince(db, run.jobId, 0);
  const runs = events.filter((e) => e.event.type === "run");
  const epochSeconds = events.reduce((sum, e) => sum + (e.event.type === "epoch" ? e.event.seconds : 0), 0);
  const first = runs[0]?.at ?? run.startedAt ?? 0;
  return {
    count: runs.length,
    epochSeconds,
    wallSeconds: ((run.finishedAt ?? first) - first) / 1000,
    firstRunAfter: (first - (run.startedAt ?? first)) / 1000,
  };
}

const estimates = (
  name: keyof typeof SEARCHES,
  payload: SubmissionPayload,
  speed: GraderSpeed,
  shown: GraderSpeed | null,
  courseId: string,
) => {
  const exercise = getExercise(`${name}-regularize`);
  const search = SEARCHES[name];
  // What the web app showed before the measured training speed was published: matmul-derived figure, 3 s a run.
  const before = estimateTuning(exercise, payload, search, { gflops: speed.gflops, maxTrials: 8, overheadSeconds: 3 });
  const after = speed.training
    ? estimateTuning(exercise, payload, search, {
        gflops: speed.gflops,
        training: speed.training,
        maxTrials: 8,
        overheadSeconds: WARM_TRAINING_OVERHEAD_SECONDS,
      })
    : null;
  // What the web app charges now: the calibration and the correction the grader had published when
  // the search started, learnt from the trainings before it (none for the first search of a grader):
  // this dataset's own when it had one, else the figure over all datasets (`speedFigures`).
  const key = datasetKey(exercise.dataset, courseId);
  const correction = shown ? correctionFor({ all: shown.correction, byDataset: shown.corrections }, key) : null;
  const own = shown?.corrections !== undefined && Object.hasOwn(shown.corrections, key);
  const corrected =
    shown?.training && correction !== null
      ? estimateTuning(exercise, payload, search, {
          gflops: shown.gflops,
          training: shown.training,
          correction,
          maxTrials: 8,
          overheadSeconds: WARM_TRAINING_OVERHEAD_SECONDS,
        })
      : null;
  return { before, after, corrected, correction: correction === null ? undefined : { value: correction, own } };
};

const deviation = (charged: number, estimate: number) => {
  const d = charged / estimate - 1;
  return `${d >= 0 ? "+" : ""}${(d * 100).toFixed(0)} %`;
};

/**
 * The tuning estimate against what the search is charged, without the web app: one production grader
 * (full data, warm-up on, calibration published), the Tune form's default search on the MNIST and IMDB
 * step-7 references enqueued directly, one after the other. Both estimates come from the calibration
 * that grader published: the one before it measured training (matmul figure, a fresh child's 3 s) and
 * the one it costs with now (measured step cost and throughput, a warm child's overhead).
 */
export const tuning: Section = {
  name: "tuning",
  title: "The tuning estimate against what was charged: the default search on the MNIST and IMDB step-7 references",
  async run(ctx) {
    const { db, url } = await freshDb(mkdtempSync(join(ctx.tmpDir, "tuning-")));
    const now = Date.now();
    const queued: Array<{ name: keyof typeof SEARCHES; pass: number; jobId: string; payload: SubmissionPayload; courseId: string }> = [];
    // Two passes over both datasets: in the first, IMDB's correction can only be the fallback learnt on
    // MNIST's trainings; in the second, each dataset's estimate has its own.
    for (const [pass, name] of [1, 2].flatMap((p) => (["mnist", "imdb"] as const).map((n) => [p, n] as const))) {
      const exerciseId = `${name}-regularize`;
      const payload = solutions[exerciseId]?.reference;
      if (!payload) throw new Error(`expected a reference solution for ${exerciseId}, found none`);
      const { course, assignment } = await courseWithAssignment(db, exerciseId, now);
      const student = await enrolledStudent(db, course.id, queued.length, now);
      // The search varies a submission's model; its own grading is not what this measures.
      const { submission, job } = await createSubmissionWithJob(
        db,
        { assignmentId: assignment.id, userId: student.id, exerciseId, payload },
        now,
      );
      await cancelJob(db, job.id, now);
      const { job: tune } = await enqueueTuning(db, {
        submissionId: submission.id,
        userId: student.id,
        search: SEARCHES[name],
        budgetSeconds: 100_000,
        perMinute: 100,
        estimateSeconds: () => 1,
        now,
      });
      queued.push({ name, pass, jobId: tune.id, payload, courseId: course.id });
    }
    const services: Service[] = await startGraders(ctx, url, 1);
    try {
      const rows: string[][] = [];
      let speed: GraderSpeed | null = null;
      for (const { name, pass, jobId, payload, courseId } of queued) {
        const loadBefore = load1();
        let run: TuningRun | null = null;
        // The published figures as the search starts (the grader claims it): what the web would charge it.
        let shown: GraderSpeed | null | undefined;
        for (;;) {
          run = await tuningRunById(db, jobId);
          if (shown === undefined && run && run.status !== "queued") shown = await latestCalibration(db, { now: Date.now() });
          if (run && run.status !== "queued" && run.status !== "running") break;
          if (services.some((g) => g.child.exitCode !== null)) throw new Error("the grader exited during the search");
          await new Promise((r) => setTimeout(r, 500));
        }
        speed ??= await latestCalibration(db, { now: Date.now() });
        if (!run || run.status !== "done" || !speed) throw new Error(`the ${name} search ended ${run?.status ?? "missing"}`);
        const { before, after, corrected, correction } = estimates(name, payload, speed, shown ?? null, courseId);
        const parts = await trainings(db, run);
        ctx.log(
          `tuning: ${name} charged ${fmt(run.chargedSeconds)} s, estimated ${fmt(before.seconds)} s before, ${after ? fmt(after.seconds) : "–"} s now`,
        );
        ctx.metrics.set(`tuning.${name}.pass${pass}.charged`, run.chargedSeconds);
        rows.push([
          `${name.toUpperCase()}, search ${pass}`,
          `${parts.count} (${fmt(parts.epochSeconds)} s in epochs of ${fmt(parts.wallSeconds)} s; first after ${fmt(parts.firstRunAfter)} s)`,
          `${fmt(run.chargedSeconds)} s`,
          `${fmt(before.seconds)} s (${deviation(run.chargedSeconds, before.seconds)})`,
          after ? `${fmt(after.seconds)} s (${deviation(run.chargedSeconds, after.seconds)})` : "not published",
          corrected && correction !== undefined
            ? `${fmt(corrected.seconds)} s (${deviation(run.chargedSeconds, corrected.seconds)}; × ${correction.value.toFixed(2)}, ${correction.own ? `${name.toUpperCase()}'s own` : "over all datasets"})`
            : "none yet",
          `${loadBefore.toFixed(1)} → ${load1().toFixed(1)}`,
        ]);
      }
      const figures = speed?.training
        ? `${fmt(speed.gflops)} GFLOPS matmul-derived; training ${fmt(speed.training.gflops)} G multiply-adds/s on products + ${fmt(speed.training.stepSeconds * 1000)} ms a step`
        : `${fmt(speed?.gflops ?? 0)} GFLOPS matmul-derived (no training measurement published)`;
      const table: Table = {
        title: `The Tune form's default search (8 random trials, halving by 3) on each step-7 reference: charged against the estimate (grader calibration: ${figures})`,
        header: [
          "dataset",
          "trainings (epochs' share of their wall time)",
          "charged",
          "estimate before (matmul, 3 s a run)",
          "estimate now (measured training)",
          "with its dataset's correction published at its start",
          "load",
        ],
        rows,
      };
      return {
        tables: [table],
        notes: [
          "One production grader (GRADER_CONCURRENCY=1, warm-up on, full data) on a fresh SQLite file; each search enqueued directly (enqueueTuning) on the reference submission, whose own grading is cancelled; two passes over MNIST then IMDB (n=2 per dataset).",
          'charged = the job\'s measured seconds (finished − started), what the compute budget is charged; both estimates are computed from the calibration that grader published at start. The first IMDB search on a machine also builds the IMDB cache before its first trial ("first after").',
          "with the correction = the calibration and speed correction the grader had published when the search was claimed, for that search's dataset as the web app picks it: the dataset's own factor when the grader's earlier trainings were on it, else the factor over all its trainings (so none for the first search of a fresh grader, and IMDB's first search gets the fallback learnt on MNIST's trainings; the second pass shows each dataset's own).",
        ],
      };
    } finally {
      await stopAll(services);
      await db.close();
    }
  },
};
