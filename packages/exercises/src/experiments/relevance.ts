import type { ExampleSet } from "@stepwise/core/datasets";
import { labelsOf } from "./sets";

/** Classes 0..max label (at least 2). */
export function classCountOf(labels: ArrayLike<number>): number {
  let max = 1;
  for (let i = 0; i < labels.length; i++) max = Math.max(max, labels[i] ?? 0);
  return max + 1;
}

/**
 * How much of each feature's variation goes with the label, measured on training examples only
 * (the experiment validates on others): the correlation ratio η² for classes, r² for a numeric
 * target. 0 for a constant feature. Streams rows in chunks, so wide inputs never materialize.
 */
export function featureRelevance(set: ExampleSet, kind: "binary" | "multiclass" | "regression"): Float64Array {
  const labels = labelsOf(set);
  const F = set.inputSize;
  const sum = new Float64Array(F);
  const sq = new Float64Array(F);
  const classes = kind === "regression" ? 0 : classCountOf(labels);
  const byClass = new Float64Array(classes * F);
  const classCount = new Float64Array(classes);
  const xy = kind === "regression" ? new Float64Array(F) : undefined;
  let y = 0;
  let y2 = 0;
  const chunk = Math.max(1, Math.floor(2_000_000 / F));
  const rows = new Float32Array(Math.min(chunk, set.n) * F);
  for (let start = 0; start < set.n; start += chunk) {
    const indices = Int32Array.from({ length: Math.min(chunk, set.n - start) }, (_, i) => start + i);
    set.gatherInputs(indices, rows);
    for (let r = 0; r < indices.length; r++) {
      const label = labels[start + r] ?? 0;
      y += label;
      y2 += label * label;
      if (!xy) classCount[label] = (classCount[label] ?? 0) + 1;
      const base = r * F;
      for (let j = 0; j < F; j++) {
        const x = rows[base + j] ?? 0;
        if (x === 0) continue;
        sum[j] = (sum[j] ?? 0) + x;
        sq[j] = (sq[j] ?? 0) + x * x;
        if (xy) xy[j] = (xy[j] ?? 0) + x * label;
        else byClass[label * F + j] = (byClass[label * F + j] ?? 0) + x;
      }
    }
  }
  const n = set.n;
  const out = new Float64Array(F);
  for (let j = 0; j < F; j++) {
    const s = sum[j] ?? 0;
    const total = (sq[j] ?? 0) - (s * s) / n;
    if (!(total > 1e-12)) continue;
    if (xy) {
      const cov = (xy[j] ?? 0) - (s * y) / n;
      const varY = y2 - (y * y) / n;
      out[j] = varY > 1e-12 ? (cov * cov) / (total * varY) : 0;
    } else {
      let between = -(s * s) / n;
      for (let c = 0; c < classes; c++) {
        const nc = classCount[c] ?? 0;
        if (nc > 0) between += (byClass[c * F + j] ?? 0) ** 2 / nc;
      }
      out[j] = between / total;
    }
  }
  return out;
}

/**
 * η² of each word's presence in a review, for word-index sequence inputs (0 padding and 1
 * unknown word never count). Indexed by word id.
 */
export function tokenRelevance(set: ExampleSet): Float64Array {
  const labels = labelsOf(set);
  const L = set.inputSize;
  const classes = classCountOf(labels);
  const present = new Map<number, Float64Array>();
  const classCount = new Float64Array(classes);
  const row = new Float32Array(L);
  let maxId = 1;
  for (let i = 0; i < set.n; i++) {
    set.gatherInputs([i], row);
    const label = labels[i] ?? 0;
    classCount[label] = (classCount[label] ?? 0) + 1;
    for (const id of new Set(row)) {
      if (id < 2) continue;
      maxId = Math.max(maxId, id);
      let counts = present.get(id);
      if (!counts) present.set(id, (counts = new Float64Array(classes)));
      counts[label] = (counts[label] ?? 0) + 1;
    }
  }
  const out = new Float64Array(maxId + 1);
  for (const [id, counts] of present) {
    const s = counts.reduce((a, b) => a + b, 0);
    const total = s - (s * s) / set.n;
    if (!(total > 1e-12)) continue;
    let between = -(s * s) / set.n;
    counts.forEach((c, k) => {
      const nc = classCount[k] ?? 0;
      if (nc > 0) between += (c * c) / nc;
    });
    out[id] = between / total;
  }
  return out;
}

/** Indices of the `k` largest scores, best first. */
export function topK(scores: Float64Array, k: number): number[] {
  return Array.from(scores.keys())
    .sort((a, b) => (scores[b] ?? 0) - (scores[a] ?? 0) || a - b)
    .slice(0, k);
}
