import { firstEpochOrder } from "@stepwise/core/training";
import { feed, num, type ExperimentContext } from "../context";
import { classCountOf } from "../relevance";
import { labelsOf } from "../sets";
import { longestRun } from "../stats";
import type { Finding } from "./finding";

/** Batches whose composition the experiment shows. */
const BATCHES = 10;

/** Class of each example; regression targets fall into five bins at their quintiles. */
function classesOf(labels: Int32Array | Float32Array, regression: boolean): { classOf: Int32Array; names: string[] } {
  if (!regression) {
    const count = classCountOf(labels);
    return { classOf: Int32Array.from(labels), names: Array.from({ length: count }, (_, i) => String(i)) };
  }
  const sorted = Float64Array.from(labels).sort();
  const edges = [0.2, 0.4, 0.6, 0.8].map((q) => sorted[Math.floor(q * (sorted.length - 1))] ?? 0);
  const names = [`< ${num(edges[0] ?? 0)}`, ...edges.slice(1).map((e, i) => `${num(edges[i] ?? 0)}–${num(e)}`), `≥ ${num(edges[3] ?? 0)}`];
  return { classOf: Int32Array.from(labels, (y) => edges.filter((e) => y >= e).length), names };
}

export interface Composition {
  counts: number[][];
  longestRun: number;
  singleClassBatches: number;
  looksShuffled: boolean;
}

/**
 * The class counts of the first batches of `order`, and whether the stream is mixed: examples in
 * random order change class from one to the next with probability 1 − Σ p_c² (p_c the class shares
 * of the whole training data); far fewer changes (under half) means runs of a single class. The
 * shares come from all the data, not the stream: a stream of one class only is the worst case.
 */
export function composition(classOf: Int32Array, shares: number[], order: Int32Array, batchSize: number, batches: number): Composition {
  const stream = Int32Array.from(order.subarray(0, batchSize * batches), (i) => classOf[i] ?? 0);
  const counts: number[][] = [];
  for (let start = 0; start < stream.length; start += batchSize) {
    const row = new Array<number>(shares.length).fill(0);
    for (const c of stream.subarray(start, start + batchSize)) row[c] = (row[c] ?? 0) + 1;
    counts.push(row);
  }
  let changes = 0;
  for (let i = 1; i < stream.length; i++) if (stream[i] !== stream[i - 1]) changes++;
  const expected = (stream.length - 1) * (1 - shares.reduce((a, p) => a + p * p, 0));
  return {
    counts,
    longestRun: longestRun(stream),
    singleClassBatches: counts.filter((row) => row.filter((c) => c > 0).length === 1).length,
    looksShuffled: expected < 5 || changes >= 0.5 * expected,
  };
}

/** The class composition of the first batches the grader's pipeline delivers, against the raw order. */
export function dataShuffledCheck(ctx: ExperimentContext): Finding {
  const set = feed(ctx, ctx.train);
  const { fit } = ctx.prepared.training;
  const { classOf, names } = classesOf(labelsOf(set), ctx.prepared.task.kind === "regression");
  const shares = names.map((_, c) => classOf.filter((k) => k === c).length / Math.max(classOf.length, 1));
  const pipeline = composition(classOf, shares, firstEpochOrder(set.n, fit, ctx.seed), fit.batchSize, BATCHES);
  const raw = composition(classOf, shares, firstEpochOrder(set.n, { ...fit, shuffle: false }, ctx.seed), fit.batchSize, BATCHES);
  const mixed = pipeline.looksShuffled;
  const shown = pipeline.counts.length;
  const rawNote = raw.looksShuffled
    ? "The raw training data is already mixed"
    : `The raw training data is ordered by ${ctx.prepared.task.kind === "regression" ? "target" : "class"} (longest run ${raw.longestRun} examples)`;
  return {
    experiment: "data-shuffled",
    outcome: mixed ? "mixed-batches" : "single-class-runs",
    healthy: mixed,
    evidence: { kind: "batches", batchSize: fit.batchSize, shuffle: fit.shuffle, classes: names, pipeline, raw },
    message: mixed
      ? `The first ${shown} batches your model trains on mix the classes as random order would (longest run of one class: ${pipeline.longestRun} examples). ${rawNote}${fit.shuffle ? "; the grader's seeded shuffle mixes it each epoch." : ", but shuffle is off: every epoch sees the same batches in the same order."}`
      : `The first ${shown} batches your model trains on come in runs of a single class (longest run ${pipeline.longestRun} examples, ${pipeline.singleClassBatches} batches of one class only). ${rawNote} and shuffle is off, so each step pushes the model towards one class and the next undoes it.`,
    ...(mixed && fit.shuffle
      ? {}
      : { hint: "Set shuffle: true in the fit settings, so the grader shuffles the training examples (seeded) at every epoch." }),
  };
}
