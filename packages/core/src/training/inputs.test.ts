import { describe, expect, it } from "vitest";
import { bits, countingCalls, nativeKernelsUnderTest, withKernels } from "../backend/testing";
import { byteRowsOf } from "../datasets/byte-rows";
import { loadMnistSet } from "../datasets/mnist";
import type { ExampleSet } from "../datasets/types";
import { BatchBuilder } from "./inputs";

const { tf, available, blas } = await nativeKernelsUnderTest("native batch gather");
const counting = () => countingCalls(blas(), ["gatherByteRows"]);
const mnist = loadMnistSet("train");
// A shuffled-looking batch shorter than the builder holds: a repeat, the first and the last image.
const batch = Int32Array.from([59_999, 0, 31_337, 0, 12, 40_000, 7, 59_998]);

/** The batch of inputs `set` gives through a BatchBuilder, as floats, and how many native gathers it made. */
async function built(set: ExampleSet, indices: Int32Array, native: boolean): Promise<{ values: Float32Array; calls: number }> {
  const count = counting();
  const values = await withKernels(tf, blas(), native ? count.kernels : undefined, () => {
    const builder = new BatchBuilder(tf, set, [784], 16, 10);
    return tf.tidy(() => builder.inputs(indices).dataSync() as Float32Array);
  });
  return { values, calls: count.calls() };
}

describe.runIf(available)("MNIST batches gathered by the addon", () => {
  it("are the floats the set's own gatherInputs writes, bit for bit, and the BatchBuilder uses the addon for them", async () => {
    const want = new Float32Array(batch.length * 784);
    mnist.gatherInputs(batch, want);
    const native = await built(mnist, batch, true);
    expect(native.calls).toBe(1);
    expect(bits(native.values)).toEqual(bits(want));
    // Real pixels, not zeros: ink (1) and background (0) are both there.
    expect(want.some((v) => v === 1) && want.some((v) => v === 0)).toBe(true);
  });

  it("fall back to gatherInputs without the addon, with the same floats", async () => {
    const plain = await built(mnist, batch, false);
    const native = await built(mnist, batch, true);
    expect(plain.calls).toBe(0);
    expect(bits(plain.values)).toEqual(bits(native.values));
  });

  it("are not used for a wrapper of the set (scaling, standardizing): its own gatherInputs runs", async () => {
    const doubled: ExampleSet = {
      ...mnist,
      gatherInputs(indices, out) {
        mnist.gatherInputs(indices, out);
        for (let i = 0; i < indices.length * 784; i++) out[i] = (out[i] ?? 0) * 2;
      },
    };
    expect(byteRowsOf(doubled)).toBeUndefined();
    const wrapped = await built(doubled, batch, true);
    const own = await built(mnist, batch, true);
    expect(wrapped.calls).toBe(0);
    expect(Array.from(wrapped.values)).toEqual(Array.from(own.values, (v) => Math.fround(v * 2)));
  });
});
