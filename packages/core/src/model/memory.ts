import type { LayerSummary, ModelSummary } from "../contracts/model";

/** float32. */
const BYTES = 4;

export interface MemoryEstimate {
  /** Forward activations of one batch and their gradients, bytes. */
  activationBytes: number;
  /** Weights, their gradients and two optimizer slots (Adam's m and v), bytes. */
  parameterBytes: number;
  /** The layer whose outputs for one batch take the most memory, and how much (its share of `activationBytes`). */
  largest?: { layer: LayerSummary; values: number; bytes: number };
}

const perExample = (layer: LayerSummary): number => layer.outputShape.slice(1).reduce<number>((a, b) => a * (b ?? 1), 1);

/**
 * What training one batch holds in memory, from the validated topology alone: every layer's outputs
 * for the batch (batch × values per example × 4 bytes), kept for backpropagation, and as much again
 * for their gradients; the parameters four times over. Activations are what a wide layer at a large
 * batch size runs out of memory on, long before its parameters do.
 */
export function estimateTrainingMemory(summary: ModelSummary, batchSize: number): MemoryEstimate {
  let activationBytes = 0;
  let largest: MemoryEstimate["largest"];
  for (const layer of summary.layers) {
    const values = batchSize * perExample(layer);
    const bytes = 2 * values * BYTES;
    activationBytes += bytes;
    if (!largest || bytes > largest.bytes) largest = { layer, values, bytes };
  }
  return { activationBytes, parameterBytes: 4 * summary.totalParams * BYTES, ...(largest ? { largest } : {}) };
}

/** 1.5 GiB, 320 MiB, 12 KiB. */
export function formatBytes(bytes: number): string {
  const units = ["bytes", "KiB", "MiB", "GiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : Number(value.toPrecision(3))} ${units[unit]}`;
}
