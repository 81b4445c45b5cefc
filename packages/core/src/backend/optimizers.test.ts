import type { Optimizer, Tensor, Variable } from "@tensorflow/tfjs";
import { loadNativeBlas, type NativeBlas } from "@stepwise/native-blas";
import { describe, expect, it } from "vitest";
import { adam, initBackend, registerBlasKernels, rmsprop, unregisterBlasKernels } from "./index";
import type { Tf } from "./tf";

const info = await initBackend();
const tf = info.tf;
const load = loadNativeBlas();
const available = info.blas?.loaded === true && load.ok;
if (!available)
  console.warn(`native optimizer tests skipped: ${info.blas?.loaded === false ? info.blas.reason : load.ok ? info.backend : load.reason}`);

function blas(): NativeBlas {
  if (!load.ok) throw new Error(load.reason);
  return load.blas;
}

/** Runs `f` with the BLAS kernels re-registered over a library that counts calls of `kernel`. */
function counting<T>(kernel: "rmsprop" | "adam", f: () => T): { result: T; calls: number } {
  let calls = 0;
  unregisterBlasKernels(tf);
  const real = blas();
  registerBlasKernels(tf, {
    ...real,
    rmsprop: (...args) => {
      if (kernel === "rmsprop") calls++;
      real.rmsprop(...args);
    },
    adam: (...args) => {
      if (kernel === "adam") calls++;
      real.adam(...args);
    },
  });
  try {
    return { result: f(), calls };
  } finally {
    unregisterBlasKernels(tf);
    registerBlasKernels(tf, real);
  }
}

let names = 0;
/** Variables like a Dense layer's (kernel and bias), same values for every call with the same seed. */
function weights(seed: number): Variable[] {
  // In a tidy, as Layers builds weights: the initial value is disposed, so the variable owns its buffer.
  return [[97, 33], [33]].map((shape, i) =>
    tf.tidy(() => tf.variable(tf.randomNormal(shape, 0, 0.1, "float32", seed + i), true, `optimizer-test-${names++}`)),
  );
}

/** Four steps of `optimizer` on `vars` with seeded gradients; the learning rate changes half-way, as LR schedules do. */
function steps(optimizer: Optimizer, vars: Variable[]): Float32Array[] {
  for (let step = 0; step < 4; step++) {
    if (step === 2) (optimizer as unknown as { learningRate: number }).learningRate = 0.0005;
    tf.tidy(() => {
      // Seeds from 1: tfjs treats a seed of 0 as "no seed".
      const grads = vars.map((v, i) => ({ name: v.name, tensor: tf.randomNormal(v.shape, 0, 1, "float32", 1 + 100 * step + i) }));
      optimizer.applyGradients(grads);
    });
  }
  return vars.map((v) => v.dataSync() as Float32Array);
}

const OPTIMIZERS = [
  {
    kernel: "rmsprop",
    ours: rmsprop,
    theirs: (lr: number) => tf.train.rmsprop(lr),
    prototype: () => tf.RMSPropOptimizer.prototype,
    slots: ["iter", "v/rms", "v/rms", "v/momentum", "v/momentum"],
  },
  {
    kernel: "adam",
    ours: adam,
    theirs: (lr: number) => tf.train.adam(lr),
    prototype: () => tf.AdamOptimizer.prototype,
    slots: ["iter", "v/m", "v/m", "v/v", "v/v"],
  },
] as const satisfies readonly {
  kernel: "rmsprop" | "adam";
  ours: (tf: Tf, lr: number) => Optimizer;
  theirs: (lr: number) => Optimizer;
  prototype: () => object;
  slots: readonly string[];
}[];

describe.runIf(available).each(OPTIMIZERS)("$kernel on the native path", ({ kernel, ours, theirs, prototype, slots }) => {
  it(`updates weights bit for bit as tf.train.${kernel} does, in native passes`, async () => {
    const before = tf.memory().numTensors;
    const [mine, reference] = [weights(1), weights(1)];
    const { result: optimizer, calls: none } = counting(kernel, () => ours(tf, 0.001));
    const plain = theirs(0.001);
    const { result: got, calls } = counting(kernel, () => steps(optimizer, mine));
    const want = steps(plain, reference);
    expect(calls).toBe(8);
    expect(none).toBe(0);
    got.forEach((g, i) => expect(Array.from(g)).toEqual(Array.from(want[i] ?? [])));
    // The slots keep tfjs-core's names and layout, so saving optimizer state still works.
    const saved = await optimizer.getWeights();
    expect(saved.map((w) => w.name.replace(/optimizer-test-\d+/, "v"))).toEqual(slots);
    tf.dispose(saved.map((w) => w.tensor));
    for (const o of [optimizer, plain]) o.dispose();
    tf.dispose([...mine, ...reference]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("leaves a weight whose buffer another tensor shares to TF.js's update, then goes native on its own buffer", () => {
    const [mine, reference] = [weights(3), weights(3)];
    // A reshape on wasm shares the variable's buffer: writing it in place would change `view` too.
    const view: Tensor = (mine[0] as Variable).reshape([33, 97]);
    const before = view.dataSync().slice();
    const { result: got, calls } = counting(kernel, () => steps(ours(tf, 0.001), mine));
    const want = steps(theirs(0.001), reference);
    // Step 1 runs TF.js's update, which gives the variable a fresh buffer; steps 2–4 (2 weights each) run natively.
    expect(calls).toBe(6);
    expect(Array.from(view.dataSync())).toEqual(Array.from(before));
    got.forEach((g, i) => expect(Array.from(g)).toEqual(Array.from(want[i] ?? [])));
    tf.dispose([view, ...mine, ...reference]);
  });

  it(`is plain tf.train.${kernel} when the BLAS kernels are not registered`, () => {
    unregisterBlasKernels(tf);
    try {
      const optimizer = ours(tf, 0.01);
      expect(Object.getPrototypeOf(optimizer)).toBe(prototype());
      optimizer.dispose();
    } finally {
      registerBlasKernels(tf, blas());
    }
  });
});
