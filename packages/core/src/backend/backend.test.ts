import type { Tensor, Tensor4D } from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend, type BackendInfo, type Tf } from "./index";

let info: BackendInfo;
let tf: Tf;
beforeAll(async () => {
  info = await initBackend();
  tf = info.tf;
});

/** Runs `f` on wasm and on cpu with the same inputs and returns both results as arrays. */
async function onBoth(inputs: Tensor[], f: (...xs: Tensor[]) => Tensor): Promise<[Float32Array, Float32Array]> {
  const values = inputs.map((t) => ({ data: t.dataSync(), shape: t.shape }));
  const run = (): Float32Array => tf.tidy(() => f(...values.map((v) => tf.tensor(v.data, v.shape))).dataSync() as Float32Array);
  const wasm = run();
  await tf.setBackend("cpu");
  try {
    return [wasm, run()];
  } finally {
    await tf.setBackend("wasm");
  }
}

function maxRelDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  return a.reduce((m, x, i) => Math.max(m, Math.abs(x - (b[i] ?? 0)) / (1 + Math.abs(b[i] ?? 0))), 0);
}

describe("initBackend", () => {
  it("falls back from tfjs-node to wasm here and records why", async () => {
    // wasm+openblas where OpenBLAS and the native-blas addon load (blas-kernels.test.ts), else wasm.
    expect(info.backend).toBe(info.blas?.loaded ? "wasm+openblas" : "wasm");
    expect(info.tfjsVersion).toBe("4.22.0");
    expect(info.skipped[0]).toMatch(/^tensorflow: /);
    // Once per process: a later call with other wishes gets the same answer.
    expect(await initBackend({ prefer: ["cpu"] })).toBe(info);
  });
});

describe("wasm kernel overrides agree with the cpu backend", () => {
  const r = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, "float32", seed);

  it.each([
    [[33, 17], [33, 9], true, false],
    [[17, 33], [9, 33], false, true],
    [[33, 17], [9, 33], true, true],
    [[3, 8, 5], [3, 8, 4], true, false],
    [[3, 5, 8], [3, 4, 8], false, true],
  ])("matMul %j × %j transposeA=%s transposeB=%s", async (a, b, ta, tb) => {
    const before = tf.memory().numTensors;
    const [x, y] = [r(a, 1), r(b, 2)];
    const [wasm, cpu] = await onBoth([x, y], (p, q) => tf.matMul(p, q, ta, tb));
    expect(maxRelDiff(wasm, cpu)).toBeLessThan(1e-5);
    // Dense backprop goes through the fused kernel too.
    const [fw, fc] = await onBoth([x, y], (p, q) => tf.fused.matMul({ a: p, b: q, transposeA: ta, transposeB: tb, activation: "relu" }));
    expect(maxRelDiff(fw, fc)).toBeLessThan(1e-5);
    tf.dispose([x, y]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it.each([
    [[16, 28, 28, 1], [3, 3, 1, 4], 1, "valid"],
    [[8, 13, 11, 3], [3, 2, 3, 5], 2, "same"],
    [[4, 10, 10, 2], [5, 5, 2, 3], 3, "valid"],
    [[2, 9, 7, 3], [4, 3, 3, 2], 2, "same"],
  ] as const)("conv2d filter gradient x=%j filter=%j stride=%i %s", async (xs, fs, stride, pad) => {
    const before = tf.memory().numTensors;
    const [x, w] = [r([...xs], 3), r([...fs], 4)];
    const [wasm, cpu] = await onBoth([x, w], (p, q) =>
      tf.grad((f: Tensor) =>
        tf
          .conv2d(p as Tensor4D, f as Tensor4D, stride, pad)
          .square()
          .sum(),
      )(q),
    );
    expect(maxRelDiff(wasm, cpu)).toBeLessThan(1e-4);
    tf.dispose([x, w]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("Embedding's gradient (UnsortedSegmentSum) runs through the cpu fallback", async () => {
    const table = r([20, 3], 5);
    const [wasm, cpu] = await onBoth([table], (t) =>
      tf.grad((e: Tensor) =>
        tf
          .gather(e, tf.tensor1d([1, 4, 4, 19, 0, 1], "int32"))
          .mul(tf.range(0, 18).reshape([6, 3]))
          .sum(),
      )(t),
    );
    expect(Array.from(wasm)).toEqual(Array.from(cpu));
    table.dispose();
  });

  // Regression: the cpu kernel loops over segments (minutes per step for a 10,000-word Embedding).
  it("UnsortedSegmentSum scatters a 10,000-segment IMDB-sized gradient in well under a second", () => {
    const ids = Int32Array.from({ length: 128 * 200 }, (_, i) => ((i * 7919) % 10_003) - 3);
    const values = Float32Array.from({ length: ids.length * 4 }, (_, i) => (i % 13) - 6);
    const start = performance.now();
    const out = tf.tidy(() => tf.unsortedSegmentSum(tf.tensor2d(values, [ids.length, 4]), tf.tensor1d(ids, "int32"), 10_000).dataSync());
    expect(performance.now() - start).toBeLessThan(1000);
    const expected = new Float32Array(10_000 * 4);
    ids.forEach((id, i) => {
      if (id >= 0 && id < 10_000) for (let j = 0; j < 4; j++) expected[id * 4 + j] = (expected[id * 4 + j] ?? 0) + (values[i * 4 + j] ?? 0);
    });
    expect(Array.from(out)).toEqual(Array.from(expected));
  });
});

describe("Identity on wasm", () => {
  it("shares the buffer instead of copying it, and the clone outlives the original", () => {
    if (!info.backend.startsWith("wasm")) return;
    const backend = tf.engine().backend as unknown as { numDataIds(): number };
    const original = tf.tensor1d([1.5, -2, 3.25]);
    const buffers = backend.numDataIds();
    const clone = original.clone();
    expect(backend.numDataIds()).toBe(buffers);
    original.dispose();
    expect(Array.from(clone.dataSync())).toEqual([1.5, -2, 3.25]);
    clone.dispose();
    expect(backend.numDataIds()).toBe(buffers - 1);
  });

  it("so does a Cast to the dtype the tensor has; a real cast still converts", () => {
    if (!info.backend.startsWith("wasm")) return;
    const backend = tf.engine().backend as unknown as { numDataIds(): number };
    const original = tf.tensor1d([1.5, -2, 3.25]);
    const buffers = backend.numDataIds();
    const same = tf.cast(original, "float32");
    expect(backend.numDataIds()).toBe(buffers);
    const ints = tf.cast(original, "int32");
    expect(backend.numDataIds()).toBe(buffers + 1);
    original.dispose();
    expect(Array.from(same.dataSync())).toEqual([1.5, -2, 3.25]);
    expect(Array.from(ints.dataSync())).toEqual([1, -2, 3]);
    tf.dispose([same, ints]);
    expect(backend.numDataIds()).toBe(buffers - 1);
  });
});
