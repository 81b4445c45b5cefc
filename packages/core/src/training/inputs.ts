import type { Tensor } from "@tensorflow/tfjs";
import { activeBlas } from "../backend/blas-kernels";
import type { Tf } from "../backend/tf";
import { ValidationError } from "../contracts/errors";
import { byteRowsOf } from "../datasets/byte-rows";
import type { ExampleSet } from "../datasets/types";
import type { BatchAugmenter } from "./augment";

/**
 * The per-example shape the model receives. The data is reshaped when sizes agree (784 floats
 * feed [784] or [28, 28, 1]); otherwise the message lists the shapes this data can take.
 */
export function resolveInputShape(modelShape: readonly (number | null)[], set: ExampleSet): number[] {
  const perExample = modelShape.slice(1);
  const size = perExample.reduce<number>((a, b) => a * (b ?? Number.NaN), 1);
  if (size !== set.inputSize) {
    const options = [[set.inputSize], [...set.naturalShape]].filter((s, i, all) => i === 0 || s.join() !== all[0]?.join());
    throw new ValidationError(
      `the model expects inputs of shape [${perExample.join(", ")}] (${size} values) but this data has ${set.inputSize} values per example; use an input shape of ${options.map((s) => `[${s.join(", ")}]`).join(" or ")}`,
      "config.layers[0]",
    );
  }
  return perExample as number[];
}

/**
 * Assembles batches in JS into buffers reused across steps (no per-step allocation of big arrays).
 * With an augmenter (training batches only, never validation or prediction) every batch of inputs
 * is transformed on its way to the model.
 */
export class BatchBuilder {
  private readonly x: Float32Array;
  private readonly y: Float32Array;

  constructor(
    private readonly tf: Tf,
    private readonly set: ExampleSet,
    private readonly shape: number[],
    private readonly maxBatch: number,
    private readonly labelWidth: number,
    private readonly augmenter?: BatchAugmenter,
  ) {
    this.x = new Float32Array(maxBatch * set.inputSize);
    this.y = new Float32Array(maxBatch * labelWidth);
  }

  inputs(indices: Int32Array): Tensor {
    const view = this.x.subarray(0, indices.length * this.set.inputSize);
    // A set read from bytes (MNIST) is gathered by the addon when it is active: the same floats
    // (one table, datasets/byte-rows.ts) at ~10× the speed of the JS loop, ~0.1–0.2 s per epoch.
    const rows = byteRowsOf(this.set);
    const native = rows?.rowSize === this.set.inputSize ? activeBlas(this.tf) : undefined;
    if (rows && native) native.gatherByteRows(rows.bytes, rows.rowSize, indices, rows.table, view);
    else this.set.gatherInputs(indices, view);
    const values = this.augmenter ? this.augmenter.apply(view, indices.length) : view;
    // tf.tensor copies into the backend (wasm heap); the cpu backend keeps the view, which is
    // safe because every batch tensor is disposed before the buffer is refilled.
    return this.tf.tensor(values, [indices.length, ...this.shape], "float32");
  }

  labels(indices: Int32Array, fill: (out: Float32Array) => void): Tensor {
    const view = this.y.subarray(0, indices.length * this.labelWidth);
    fill(view);
    return this.tf.tensor(view, [indices.length, this.labelWidth], "float32");
  }
}
