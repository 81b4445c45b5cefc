import type { JsonObject } from "@stepwise/core/model";
import { trainSteps } from "@stepwise/core/training";
import { feed, finite, num, type ExperimentContext } from "../context";
import type { Finding } from "./finding";

/**
 * The sweep: exponentially from 1e-5 to 1, which puts RMSprop's default 1e-3 in its lower middle.
 * Plain SGD and Adadelta take their steps without (or with their own) scaling and train well at
 * rates near 1, so their sweep goes one decade further.
 */
export const SWEEP = { from: 1e-5, to: 1, steps: 200 } as const;
const sweepEnd = (optimizer: string) => (optimizer === "sgd" || optimizer === "adadelta" ? 10 : SWEEP.to);
/** The checklist's starting point when nothing else is known. */
const REFERENCE = { optimizer: "rmsprop", learningRate: 0.001 } as const;

export interface RangeAnalysis {
  /** Centered moving average of the losses (null after the loss stopped being finite). */
  smoothed: (number | null)[];
  minimumAt: number | null;
  steepestAt: number | null;
  /** Whether the smoothed loss fell at least 10 % below where it started. */
  found: boolean;
  /** An order of magnitude below the learning rate of the lowest smoothed loss. */
  suggested: number | null;
}

/**
 * Reads a learning-rate sweep the usual way: smooth the noisy per-batch losses, find the lowest
 * point and the steepest descent before it, and suggest a tenth of the rate at the lowest point
 * (the loss is still falling fast there, and far from the instability just beyond it).
 */
export function analyzeRange(points: { learningRate: number; loss: number }[]): RangeAnalysis {
  const cut = points.findIndex((p) => !Number.isFinite(p.loss));
  const usable = cut === -1 ? points : points.slice(0, cut);
  const half = Math.max(1, Math.round(usable.length / 20));
  const smoothed = points.map((_, i) => {
    if (i >= usable.length) return null;
    const window = usable.slice(Math.max(0, i - half), i + half + 1);
    return window.reduce((a, p) => a + p.loss, 0) / window.length;
  });
  const values = smoothed.filter((v): v is number => v !== null);
  if (values.length < 3) return { smoothed, minimumAt: null, steepestAt: null, found: false, suggested: null };
  const lowest = values.indexOf(Math.min(...values));
  let steepest = -1;
  for (let i = 1; i <= lowest; i++) {
    if (steepest === -1 || (values[i] ?? 0) - (values[i - 1] ?? 0) < (values[steepest] ?? 0) - (values[steepest - 1] ?? 0)) steepest = i;
  }
  const minimumAt = usable[lowest]?.learningRate ?? null;
  const found = (values[lowest] ?? 0) <= 0.9 * (values[0] ?? 0);
  return {
    smoothed,
    minimumAt,
    steepestAt: steepest > 0 ? (usable[steepest]?.learningRate ?? null) : null,
    found,
    suggested: found && minimumAt !== null ? minimumAt / 10 : null,
  };
}

/** How a learning rate compares with the suggestion: within a factor 30 below to 3 above counts as fine. */
export function judgeRate(learningRate: number, suggested: number): "lr-ok" | "lr-too-low" | "lr-too-high" {
  if (learningRate < suggested / 30) return "lr-too-low";
  if (learningRate > suggested * 3) return "lr-too-high";
  return "lr-ok";
}

/** Sweeps the learning rate over a few hundred batches and suggests one. */
export async function lrRangeTestCheck(ctx: ExperimentContext): Promise<Finding> {
  const { compile } = ctx.prepared.training;
  const steps = ctx.sweepSteps ?? SWEEP.steps;
  const to = sweepEnd(compile.optimizer);
  const rate = (step: number) => SWEEP.from * (to / SWEEP.from) ** (step / Math.max(steps - 1, 1));
  // Stop once the loss has clearly blown up: the rest of the sweep would only add noise and time.
  let ema = Number.NaN;
  let best = Number.POSITIVE_INFINITY;
  const run = await trainSteps(ctx.tf, {
    topology: ctx.prepared.topology as JsonObject,
    training: ctx.prepared.training,
    train: feed(ctx, ctx.train),
    task: ctx.prepared.task,
    seed: ctx.seed,
    steps,
    learningRate: rate,
    ...(ctx.maxSeconds !== undefined ? { maxSeconds: ctx.maxSeconds } : {}),
    onBatch: (b) => {
      ctx.onBatch?.(b);
      ema = Number.isNaN(ema) ? b.loss : 0.9 * ema + 0.1 * b.loss;
      best = Math.min(best, ema);
      return b.step > steps / 10 && ema > 4 * best;
    },
  });
  run.model.dispose();
  const points = run.batches.map((b) => ({ learningRate: b.learningRate, loss: b.loss }));
  const analysis = analyzeRange(points);
  const student = compile.learningRate;
  const suggested = analysis.suggested ?? REFERENCE.learningRate;
  const evidence = {
    kind: "lr-range" as const,
    optimizer: compile.optimizer,
    from: SWEEP.from,
    to,
    points: points.map((p, i) => ({ learningRate: p.learningRate, loss: finite(p.loss), smoothed: analysis.smoothed[i] ?? null })),
    minimumAt: analysis.minimumAt,
    steepestAt: analysis.steepestAt,
    suggested,
    student,
    reference: REFERENCE,
  };
  const budget = run.stopReason === "budget" ? " (all its time budget allowed)" : "";
  const sweep = `Sweeping ${compile.optimizer}'s learning rate from ${num(SWEEP.from)} to ${num(to)} over ${run.batches.length} batches${budget}`;
  if (!analysis.found || analysis.minimumAt === null) {
    return {
      experiment: "lr-range-test",
      outcome: "no-minimum",
      healthy: false,
      evidence,
      message: `${sweep}, the loss never fell clearly at any rate: with ${compile.optimizer}, the learning rate is not what holds your model back.`,
      hint: "Start from RMSprop at 1e-3, as the checklist says, and look for a bug in the pipeline instead: run label-as-input, output-histogram (dead or saturated units) and data-shuffled.",
    };
  }
  const outcome = judgeRate(student, suggested);
  const found = `${sweep}, the loss was lowest near ${num(analysis.minimumAt)}; a tenth of that, ${num(suggested)}, is a good rate to train at`;
  return {
    experiment: "lr-range-test",
    outcome,
    healthy: outcome === "lr-ok",
    evidence,
    message:
      outcome === "lr-ok"
        ? `${found}, and yours (${num(student)}) is in that range.`
        : outcome === "lr-too-low"
          ? `${found}; yours (${num(student)}) is far below it, so training crawls.`
          : `${found}; yours (${num(student)}) is above it, where the loss becomes unstable.`,
    ...(outcome === "lr-ok" ? {} : { hint: `Train with a learning rate of about ${num(suggested)} (with ${compile.optimizer}).` }),
  };
}
