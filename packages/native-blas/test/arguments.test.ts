import { describe, expect, it } from "vitest";
import { loadNativeBlas, type ConvGeometry, type NativeBlas } from "../src/index";

// Every kernel checks its arguments before it touches memory: a wrong length or stride would read or
// write outside the wasm heap instead of throwing. These are the checks no other test reaches: each
// case must fail for its own reason (the message names the function, the argument, what it must be
// and what came) and leave every array it was given as it was.

type Kernel = Exclude<keyof NativeBlas, "kind" | "info">;

const loaded = loadNativeBlas({ setting: "auto" });

/** Filled with −1, which relu, the convolutions and the gradients would all overwrite. */
const f = (n: number) => new Float32Array(n).fill(-1);

// 2×2 max pooling with stride 2 over one 4×4 image of 2 channels: x and dx hold 32 floats, dy 8.
const pool: ConvGeometry = {
  batch: 1,
  inHeight: 4,
  inWidth: 4,
  inChannels: 2,
  outHeight: 2,
  outWidth: 2,
  outChannels: 2,
  filterHeight: 2,
  filterWidth: 2,
  strideHeight: 2,
  strideWidth: 2,
  dilationHeight: 1,
  dilationWidth: 1,
  padTop: 0,
  padLeft: 0,
};

// Six floats of p, target, q, c and out are two rows of three classes; s and dy hold one per row.
const entropy = (change: Record<number, unknown>): unknown[] =>
  [f(6), f(6), f(6), f(6), f(2), f(2), 1e-7, f(6)].map((arg, i) => (i in change ? change[i] : arg));

const cases: { fn: Kernel; args: unknown[]; message: string }[] = [
  {
    fn: "sgemm",
    args: [false, false, 2, 2, 3, 1, f(6), 3, f(6), 2, 0, f(4)],
    message: "sgemm takes 13 arguments (transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc), got 12",
  },
  {
    fn: "sgemm",
    args: [false, false, 2, 2, 3, 1, f(6), 0, f(6), 2, 0, f(4), 2],
    message: "sgemm: lda must be an integer in [1, 2147483647], got 0",
  },
  {
    fn: "sgemm",
    args: [false, false, 2, 2, 1.5, 1, f(6), 3, f(6), 2, 0, f(4), 2],
    message: "sgemm: k must be an integer in [0, 2147483647], got 1.5",
  },
  {
    fn: "sgemm",
    args: [false, false, 2, 2, 3, 1, f(6), 3, f(6), 2, Number.NEGATIVE_INFINITY, f(4), 2],
    message: "sgemm: beta must be a finite number, got -inf",
  },
  { fn: "columnSums", args: [f(6)], message: "columnSums takes 2 arguments (x, out), got 1" },
  { fn: "columnSums", args: [f(3), f(0)], message: "columnSums: x must hold whole rows of out's 0 columns, got 3 floats" },
  {
    fn: "rmsprop",
    args: [f(4), f(4), f(4), f(4), 0.1, 0.9, 0, Number.NaN],
    message: "rmsprop: epsilon must be a finite number, got nan",
  },
  { fn: "rmsprop", args: [f(4), f(5), f(4), f(4), 0.1, 0.9, 0, 1e-7], message: "rmsprop: grad holds 5 floats, value holds 4" },
  { fn: "adam", args: [f(4), f(4), f(3), f(4), 0.001, 0.9, 0.999, 1e-7, 0.1, 0.001], message: "adam: m holds 3 floats, value holds 4" },
  {
    fn: "adam",
    args: [f(4), f(4), f(4), f(4), 0.001, 0.9, 0.999, 1e-7, Number.NaN, 0.001],
    message: "adam: oneMinusAccBeta1 must be a finite number, got nan",
  },
  { fn: "dropoutMask", args: [2 ** 53, 0.5, f(2)], message: "dropoutMask: seed must be a safe integer, got 9.0072e+15" },
  { fn: "dropoutMask", args: [1, 1.5, f(2)], message: "dropoutMask: keepProb must be in (0, 1], got 1.5" },
  { fn: "l2Penalty", args: [f(3), 0.1, f(3)], message: "l2Penalty takes 2 arguments (x, l2), got 3" },
  { fn: "l2PenaltyGrad", args: [f(3), Number.NaN, f(3)], message: "l2PenaltyGrad: scale must be a number, got nan" },
  {
    fn: "gatherByteRows",
    args: [new Int8Array(6), 3, Int32Array.from([0]), f(256), f(3)],
    message: "gatherByteRows: bytes must be a Uint8Array, got a typed array of another type",
  },
  {
    fn: "gatherByteRows",
    args: [new Uint8Array(6), 7, Int32Array.from([0]), f(256), f(7)],
    message: "gatherByteRows: rowSize must be an integer in [1, 6], got 7",
  },
  { fn: "relu", args: [], message: "relu takes 1 argument (x), got 0" },
  { fn: "relu", args: [new Float64Array(2)], message: "relu: x must be a Float32Array, got a typed array of another type" },
  { fn: "biasRelu", args: [f(7), f(3)], message: "biasRelu: c must hold whole rows of bias's 3 columns, got 7 floats" },
  { fn: "biasRelu", args: [f(6), "bias"], message: "biasRelu: bias must be a Float32Array, got a string" },
  { fn: "reluGrad", args: [f(4), f(4)], message: "reluGrad takes 3 arguments (dy, y, out), got 2" },
  { fn: "reluGrad", args: [f(4), f(3), f(4)], message: "reluGrad: y holds 3 floats, dy holds 4" },
  { fn: "reluGrad", args: [f(4), f(4), f(5)], message: "reluGrad: out holds 5 floats, dy holds 4" },
  { fn: "reluGrad", args: [f(4), null, f(4)], message: "reluGrad: y must be a Float32Array, got null" },
  { fn: "crossentropyGrad", args: entropy({ 5: f(3) }), message: "crossentropyGrad: dy holds 3 floats, s holds 2" },
  {
    fn: "crossentropyGrad",
    args: entropy({ 0: f(7) }),
    message: "crossentropyGrad: p must hold one row per value of s, got 7 floats for 2 rows",
  },
  { fn: "crossentropyGrad", args: entropy({ 1: f(5) }), message: "crossentropyGrad: target holds 5 floats, p holds 6" },
  { fn: "crossentropyGrad", args: entropy({ 7: f(9) }), message: "crossentropyGrad: out holds 9 floats, p holds 6" },
  { fn: "crossentropyGrad", args: entropy({ 6: 0.5 }), message: "crossentropyGrad: epsilon must be in [0, 0.5), got 0.5" },
  { fn: "crossentropyGrad", args: entropy({ 3: undefined }), message: "crossentropyGrad: c must be a Float32Array, got undefined" },
  {
    fn: "conv2dBackpropFilter",
    args: [f(32), f(8), f(8)],
    message: "conv2dBackpropFilter takes 4 arguments (x, dy, dw, geometry), got 3",
  },
  {
    fn: "conv2d",
    // 65535 images of 65535×4×2 floats: far past what a BLAS int can index.
    args: [f(1), f(1), f(1), { ...pool, batch: 65535, inHeight: 65535 }],
    message: "conv2d: the geometry describes a tensor of 34358689800 floats; at most 2147483646 are supported",
  },
  {
    fn: "conv2dBackpropInput",
    args: [f(8), f(16), f(32), "geometry"],
    message: "conv2dBackpropInput: geometry must be an object with batch…padLeft, got a string",
  },
  { fn: "maxPoolGrad", args: [f(32), f(7), f(32), pool], message: "maxPoolGrad: dy holds 7 floats, the geometry needs 8" },
  {
    fn: "maxPoolGrad",
    args: [f(32), f(8), f(32), { ...pool, outChannels: 3 }],
    message: "maxPoolGrad: geometry.outChannels must equal inChannels (2), got 3",
  },
  {
    fn: "maxPoolGrad",
    args: [f(32), f(8), f(32), { ...pool, filterWidth: 1.5 }],
    message: "maxPoolGrad: geometry.filterWidth must be an integer in [1, 65535], got 1.5",
  },
  { fn: "maxPoolGrad", args: [f(32), f(8), f(32), null], message: "maxPoolGrad: geometry must be an object with batch…padLeft, got null" },
];

describe.runIf(loaded.ok)("the kernels refuse arguments that do not fit", () => {
  it.each(cases)("$fn: $message", ({ fn, args, message }) => {
    if (!loaded.ok) throw new Error(loaded.reason);
    const kernel = loaded.blas[fn] as (...args: unknown[]) => unknown;
    const arrays = args.filter((arg): arg is Float32Array => arg instanceof Float32Array);
    const before = arrays.map((a) => Array.from(a));
    expect(() => kernel(...args)).toThrow(RangeError);
    expect(() => kernel(...args)).toThrow(message);
    expect(arrays.map((a) => Array.from(a))).toEqual(before);
  });
});
