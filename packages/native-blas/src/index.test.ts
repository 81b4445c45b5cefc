import { describe, expect, it } from "vitest";
import { DEFAULT_ADDON, loadNativeBlas, type NativeBlas } from "./index";

/** Deterministic values in [-1, 1). */
function values(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  });
}

interface Case {
  transA: boolean;
  transB: boolean;
  m: number;
  n: number;
  k: number;
  alpha: number;
  beta: number;
  /** Extra floats at the end of each stored row (strides larger than the matrix). */
  pad: number;
}

/** The definition, in float64: C = alpha·op(A)·op(B) + beta·C. */
function reference(
  { transA, transB, m, n, k, alpha, beta }: Case,
  a: Float32Array,
  lda: number,
  b: Float32Array,
  ldb: number,
  c: Float32Array,
  ldc: number,
): Float64Array {
  const out = Float64Array.from(c);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++) {
        const x = transA ? (a[p * lda + i] ?? Number.NaN) : (a[i * lda + p] ?? Number.NaN);
        const y = transB ? (b[j * ldb + p] ?? Number.NaN) : (b[p * ldb + j] ?? Number.NaN);
        sum += x * y;
      }
      out[i * ldc + j] = alpha * sum + beta * (c[i * ldc + j] ?? Number.NaN);
    }
  }
  return out;
}

function run(blas: NativeBlas, t: Case): { got: Float32Array; want: Float64Array; before: Float32Array } {
  const [aRows, aCols] = t.transA ? [t.k, t.m] : [t.m, t.k];
  const [bRows, bCols] = t.transB ? [t.n, t.k] : [t.k, t.n];
  const lda = aCols + t.pad;
  const ldb = bCols + t.pad;
  const ldc = t.n + t.pad;
  const a = values(aRows * lda, 1);
  const b = values(bRows * ldb, 2);
  const c = values(t.m * ldc, 3);
  const before = c.slice();
  const want = reference(t, a, lda, b, ldb, c, ldc);
  blas.sgemm(t.transA, t.transB, t.m, t.n, t.k, t.alpha, a, lda, b, ldb, t.beta, c, ldc);
  return { got: c, want, before };
}

// The failure paths are loaded first, before any test body runs: once a BLAS is loaded it stays
// loaded for the rest of the process, and later attempts would only say so.
const failures = [
  ["off", "STEPWISE_BLAS=off"],
  ["openblas", 'STEPWISE_BLAS must be "off", "auto" or an absolute path to a BLAS library, got "openblas"'],
  ["/nonexistent/libopenblas.so.0", "no usable BLAS: /nonexistent/libopenblas.so.0: cannot open shared object file"],
  // A real library without cblas_sgemm: the addon refuses it instead of crashing on the first call.
  ["/lib/x86_64-linux-gnu/libz.so.1", "no usable BLAS: /lib/x86_64-linux-gnu/libz.so.1 does not export cblas_sgemm"],
].map(([setting = "", reason = ""]) => ({ setting, reason, load: loadNativeBlas({ setting }) }));

describe("loadNativeBlas says why no BLAS is available", () => {
  it.each(failures)("STEPWISE_BLAS=$setting", ({ reason, load }) => {
    expect(load.ok).toBe(false);
    if (!load.ok) expect(load.reason).toContain(reason);
  });

  it("reports a missing addon (install without a compiler) instead of throwing", () => {
    const load = loadNativeBlas({ setting: "auto", addonPath: "/nonexistent/native_blas.node" });
    expect(load).toEqual({
      ok: false,
      reason: expect.stringContaining("the native-blas addon is not built (/nonexistent/native_blas.node is missing") as unknown,
    });
  });
});

const loaded = loadNativeBlas({ setting: "auto" });
const expectBlas = process.env.STEPWISE_EXPECT_BLAS === "1";
if (!loaded.ok) console.warn(`native-blas: sgemm tests skipped: ${loaded.reason}`);

describe("STEPWISE_EXPECT_BLAS", () => {
  it.runIf(expectBlas)("is set, so the addon and a BLAS must load here", () => {
    expect(loaded.ok ? "loaded" : loaded.reason).toBe("loaded");
  });
});

describe.runIf(loaded.ok)("sgemm against the definition", () => {
  const blas = (): NativeBlas => {
    if (!loaded.ok) throw new Error(loaded.reason);
    return loaded.blas;
  };

  it("pins the library to one thread and says what it is", () => {
    const info = blas().info();
    expect(info.threads).toBe(1);
    expect(info.resolved).toMatch(/^\//);
    if (blas().kind === "openblas") expect(info.config).toMatch(/^OpenBLAS \d+\.\d+/);
  });

  const cases: Case[] = [];
  for (const transA of [false, true]) {
    for (const transB of [false, true]) {
      cases.push(
        { transA, transB, m: 7, n: 5, k: 3, alpha: 1, beta: 0, pad: 0 },
        { transA, transB, m: 33, n: 17, k: 65, alpha: 0.5, beta: -2, pad: 0 },
        { transA, transB, m: 1, n: 129, k: 31, alpha: -1.25, beta: 1, pad: 3 },
        { transA, transB, m: 128, n: 10, k: 513, alpha: 1, beta: 0.25, pad: 1 },
      );
    }
  }
  it.each(cases)("transA=$transA transB=$transB m=$m n=$n k=$k alpha=$alpha beta=$beta pad=$pad", (t) => {
    const { got, want, before } = run(blas(), t);
    const ldc = t.n + t.pad;
    for (let i = 0; i < got.length; i++) {
      const inMatrix = i % ldc < t.n;
      // Padding columns of C are not part of the matrix: they must stay as they were.
      if (!inMatrix) expect(got[i]).toBe(before[i]);
      else expect(Math.abs((got[i] ?? Number.NaN) - (want[i] ?? 0))).toBeLessThanOrEqual(1e-5 * (t.k + Math.abs(want[i] ?? 0)));
    }
  });

  it("k = 0 scales C by beta; m = 0 or n = 0 touches nothing", () => {
    const c = Float32Array.from([1, 2, 3, 4]);
    blas().sgemm(false, false, 2, 2, 0, 1, new Float32Array(0), 1, new Float32Array(0), 2, 3, c, 2);
    expect(Array.from(c)).toEqual([3, 6, 9, 12]);
    blas().sgemm(false, false, 0, 2, 2, 1, new Float32Array(0), 2, new Float32Array(4), 2, 0, c, 2);
    expect(Array.from(c)).toEqual([3, 6, 9, 12]);
  });

  it("works on views into a larger buffer (the wasm heap) without copying", () => {
    const heap = new Float32Array(64).fill(7);
    const a = heap.subarray(4, 10); // 2×3
    a.set([1, 2, 3, 4, 5, 6]);
    const b = heap.subarray(10, 16); // 3×2
    b.set([1, 0, 0, 1, 1, 1]);
    const c = heap.subarray(20, 24);
    blas().sgemm(false, false, 2, 2, 3, 1, a, 3, b, 2, 0, c, 2);
    expect(Array.from(heap.subarray(18, 26))).toEqual([7, 7, 4, 5, 10, 11, 7, 7]);
  });

  const f = (n: number) => new Float32Array(n);
  it.each([
    [
      "a too short",
      () => blas().sgemm(false, false, 2, 2, 3, 1, f(5), 3, f(6), 2, 0, f(4), 2),
      "sgemm: a holds 5 floats, but a 2×3 matrix with lda=3 needs 6",
    ],
    [
      "b too short for its transpose",
      () => blas().sgemm(false, true, 2, 4, 3, 1, f(6), 3, f(11), 3, 0, f(8), 4),
      "sgemm: b holds 11 floats, but a 4×3 matrix with ldb=3 needs 12",
    ],
    [
      "ldc below n",
      () => blas().sgemm(false, false, 2, 2, 3, 1, f(6), 3, f(6), 2, 0, f(4), 1),
      "sgemm: ldc must be ≥ 2 (the stored matrix has 2 columns), got 1",
    ],
    [
      "negative m",
      () => blas().sgemm(false, false, -1, 2, 3, 1, f(6), 3, f(6), 2, 0, f(4), 2),
      "sgemm: m must be an integer in [0, 2147483647], got -1",
    ],
    [
      "a Float64Array",
      () => blas().sgemm(false, false, 2, 2, 3, 1, new Float64Array(6) as unknown as Float32Array, 3, f(6), 2, 0, f(4), 2),
      "sgemm: a must be a Float32Array, got a typed array of another type",
    ],
    [
      "a string flag",
      () => blas().sgemm("yes" as unknown as boolean, false, 2, 2, 3, 1, f(6), 3, f(6), 2, 0, f(4), 2),
      "sgemm: transA must be a boolean, got a string",
    ],
    [
      "NaN alpha",
      () => blas().sgemm(false, false, 2, 2, 3, Number.NaN, f(6), 3, f(6), 2, 0, f(4), 2),
      "sgemm: alpha must be a finite number, got nan",
    ],
  ])("refuses %s with a RangeError that names it", (_name, call, message) => {
    expect(call).toThrow(RangeError);
    expect(call).toThrow(message);
  });

  // TF.js computes each RMSProp op in float32; Math.fround after every op reproduces that exactly.
  it.each([
    [1, 0.001, 0.9, 0, 1e-7],
    [1023, 0.01, 0.95, 0.9, 1e-7],
    [4097, 0.5, 0.5, 0.1, 1e-3],
  ])(
    "rmsprop on %i floats (lr %f, decay %f, momentum %f, epsilon %f) equals TF.js's float32 ops bit for bit",
    (n, lr, decay, momentum, eps) => {
      const r = Math.fround;
      const [value, grad, ms, mom] = [values(n, 4), values(n, 5), values(n, 6).map(Math.abs), values(n, 7)];
      const want = { value: value.slice(), ms: ms.slice(), mom: mom.slice() };
      const [d, keep, m32, lr32, e32] = [r(decay), r(1 - decay), r(momentum), r(lr), r(eps)];
      for (let j = 0; j < n; j++) {
        const g = grad[j] ?? 0;
        const m = r(r((want.ms[j] ?? 0) * d) + r(r(g * g) * keep));
        want.ms[j] = m;
        const p = r(r((want.mom[j] ?? 0) * m32) + r(r(g * lr32) / r(Math.sqrt(r(m + e32)))));
        want.mom[j] = p;
        want.value[j] = r((want.value[j] ?? 0) - p);
      }
      blas().rmsprop(value, grad, ms, mom, lr, decay, momentum, eps);
      expect(Array.from(value)).toEqual(Array.from(want.value));
      expect(Array.from(ms)).toEqual(Array.from(want.ms));
      expect(Array.from(mom)).toEqual(Array.from(want.mom));
    },
  );

  // TF.js's AdamOptimizer, one float32 op at a time; the bias corrections are 1 − beta^t as its float32 accumulators hold them.
  it.each([
    [1, 0.001, 0.9, 0.999, 1e-7, 1],
    [1023, 0.01, 0.9, 0.999, 1e-7, 3],
    [4097, 0.5, 0.5, 0.75, 1e-3, 40],
  ])(
    "adam on %i floats (lr %f, beta1 %f, beta2 %f, epsilon %f, step %i) equals TF.js's float32 ops bit for bit",
    (n, lr, beta1, beta2, eps, t) => {
      const r = Math.fround;
      const [value, grad, m, v] = [values(n, 4), values(n, 5), values(n, 6), values(n, 7).map(Math.abs)];
      const want = { value: value.slice(), m: m.slice(), v: v.slice() };
      let [acc1, acc2] = [r(beta1), r(beta2)];
      for (let step = 1; step < t; step++) [acc1, acc2] = [r(acc1 * r(beta1)), r(acc2 * r(beta2))];
      const [c1, c2] = [r(1 - acc1), r(1 - acc2)];
      const [b1, k1, b2, k2, e32, nlr] = [r(beta1), r(1 - beta1), r(beta2), r(1 - beta2), r(eps), r(-lr)];
      for (let j = 0; j < n; j++) {
        const g = grad[j] ?? 0;
        const m1 = r(r((want.m[j] ?? 0) * b1) + r(g * k1));
        const v1 = r(r((want.v[j] ?? 0) * b2) + r(r(g * g) * k2));
        want.m[j] = m1;
        want.v[j] = v1;
        want.value[j] = r(r(r(r(m1 / c1) / r(r(Math.sqrt(r(v1 / c2))) + e32)) * nlr) + (want.value[j] ?? 0));
      }
      blas().adam(value, grad, m, v, lr, beta1, beta2, eps, c1, c2);
      expect(Array.from(value)).toEqual(Array.from(want.value));
      expect(Array.from(m)).toEqual(Array.from(want.m));
      expect(Array.from(v)).toEqual(Array.from(want.v));
    },
  );

  it.each([
    ["a shorter moment", () => blas().rmsprop(f(4), f(4), f(4), f(3), 0.1, 0.9, 0, 1e-7), "rmsprop: moment holds 3 floats, value holds 4"],
    [
      "an infinite learning rate",
      () => blas().rmsprop(f(4), f(4), f(4), f(4), Number.POSITIVE_INFINITY, 0.9, 0, 1e-7),
      "rmsprop: learningRate must be a finite number, got inf",
    ],
    [
      "a plain array",
      () => blas().rmsprop([1] as unknown as Float32Array, f(1), f(1), f(1), 0.1, 0.9, 0, 1e-7),
      "rmsprop: value must be a Float32Array, got an object",
    ],
  ])("rmsprop refuses %s", (_name, call, message) => {
    expect(call).toThrow(RangeError);
    expect(call).toThrow(message);
  });

  // Values spanning six orders of magnitude: any other order of the additions would change low bits.
  it.each([
    [128, 512],
    [1, 7],
    [37, 10],
    [0, 3],
  ])("columnSums of a %i×%i matrix adds each column in row order, in float32", (rows, cols) => {
    const x = values(rows * cols, 9).map((v, i) => v * 10 ** (i % 7) - 3);
    const want = new Float32Array(cols);
    for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) want[j] = Math.fround((want[j] ?? 0) + (x[r * cols + j] ?? 0));
    const out = f(cols).fill(Number.NaN);
    blas().columnSums(x, out);
    expect(Array.from(out)).toEqual(Array.from(want));
    if (rows > 1) expect(Array.from(out)).not.toEqual(Array.from(x.subarray(0, cols)));
  });

  it.each([
    [
      "x that is not whole rows",
      () => blas().columnSums(f(10), f(3)),
      "columnSums: x must hold whole rows of out's 3 columns, got 10 floats",
    ],
    [
      "a plain array",
      () => blas().columnSums(f(3), [0] as unknown as Float32Array),
      "columnSums: out must be a Float32Array, got an object",
    ],
  ])("columnSums refuses %s", (_name, call, message) => {
    expect(call).toThrow(RangeError);
    expect(call).toThrow(message);
  });

  it("gatherByteRows writes table[b] for each byte of each indexed row, in index order", () => {
    const bytes = Uint8Array.from({ length: 5 * 3 }, (_, i) => (i * 37 + 11) % 256);
    const table = Float32Array.from({ length: 256 }, (_, i) => i / 255);
    const indices = Int32Array.from([4, 0, 4, 2]);
    const out = f(4 * 3 + 2).fill(Number.NaN);
    blas().gatherByteRows(bytes, 3, indices, table, out);
    const want = Array.from(indices).flatMap((row) => Array.from(bytes.subarray(row * 3, row * 3 + 3), (b) => table[b]));
    expect(Array.from(out.subarray(0, 12))).toEqual(want);
    // Past the batch, out is not touched.
    expect(Array.from(out.subarray(12))).toEqual([Number.NaN, Number.NaN]);
  });

  it.each([
    [
      "an index past the last row",
      () => blas().gatherByteRows(new Uint8Array(6), 3, Int32Array.from([0, 2]), f(256), f(6)),
      "gatherByteRows: index 2 at position 1 is not a row of 2",
    ],
    [
      "a negative index",
      () => blas().gatherByteRows(new Uint8Array(6), 3, Int32Array.from([-1]), f(256), f(3)),
      "gatherByteRows: index -1 at position 0 is not a row of 2",
    ],
    [
      "a table of the wrong size",
      () => blas().gatherByteRows(new Uint8Array(6), 3, Int32Array.from([0]), f(255), f(3)),
      "gatherByteRows: table must hold 256 floats (one per byte value), got 255",
    ],
    [
      "an out too short for the batch",
      () => blas().gatherByteRows(new Uint8Array(6), 3, Int32Array.from([0, 1]), f(256), f(5)),
      "gatherByteRows: out must hold 2 × 3 floats, got 5",
    ],
    [
      "float indices",
      () => blas().gatherByteRows(new Uint8Array(6), 3, Float32Array.from([0]) as unknown as Int32Array, f(256), f(3)),
      "gatherByteRows: indices must be an Int32Array, got a typed array of another type",
    ],
    [
      "a row size of 0",
      () => blas().gatherByteRows(new Uint8Array(6), 0, Int32Array.from([0]), f(256), f(3)),
      "gatherByteRows: rowSize must be an integer in [1, 6], got 0",
    ],
  ])("gatherByteRows refuses %s", (_name, call, message) => {
    expect(call).toThrow(RangeError);
    expect(call).toThrow(message);
  });

  it("gatherByteRows checks every index before writing: a bad last index leaves out as it was", () => {
    const out = f(6).fill(7);
    expect(() => blas().gatherByteRows(new Uint8Array(6), 3, Int32Array.from([0, 2]), f(256), out)).toThrow(RangeError);
    expect(Array.from(out)).toEqual([7, 7, 7, 7, 7, 7]);
  });

  it("relu keeps positives and makes negatives, −0 and NaN +0, as x > 0 ? x : 0 does", () => {
    const x = Float32Array.from([1.5, -2, 0, -0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e-45, -1e-45]);
    const want = Array.from(x, (v) => (v > 0 ? v : 0));
    blas().relu(x);
    expect(Array.from(x)).toEqual(want);
    expect(Object.is(x[3], 0)).toBe(true);
  });

  it("keeps the first BLAS for the process and says so when asked for another", () => {
    expect(loadNativeBlas({ setting: "auto" }).ok).toBe(true);
    const other = loadNativeBlas({ setting: "/usr/lib/x86_64-linux-gnu/libblas.so.3" });
    expect(other.ok).toBe(false);
    if (!other.ok) expect(other.reason).toContain("is already loaded in this process");
    expect(DEFAULT_ADDON).toMatch(/build\/Release\/native_blas\.node$/);
  });
});
