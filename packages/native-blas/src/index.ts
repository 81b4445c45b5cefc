import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

/** What the loaded BLAS says about itself; recorded by the grader's log and the bench. */
export interface BlasInfo {
  /** The name or path it was opened by, e.g. `libopenblas.so.0`. */
  path: string;
  /** The file that holds `cblas_sgemm`, symlinks resolved (Debian's alternatives point elsewhere). */
  resolved: string;
  /** True when the library exports OpenBLAS's thread controls. */
  openblas: boolean;
  /** `openblas_get_config()`: version and build flags, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH … MAX_THREADS=64"; empty for other BLAS. */
  config: string;
  /** `openblas_get_corename()`: the CPU kernel set OpenBLAS chose, e.g. "Haswell"; empty for other BLAS. */
  corename: string;
  /** Threads one sgemm uses: pinned to 1 (parallelism comes from one grader process per core). */
  threads: number;
}

/**
 * C = alpha·op(A)·op(B) + beta·C on row-major float32 matrices, in place on the arrays' memory
 * (views of the TF.js wasm heap work: nothing is copied). op(A) is m×k, op(B) is k×n, C is m×n;
 * `lda`/`ldb`/`ldc` are the row strides of the matrices as stored (A is k×m when `transA`).
 * Throws a RangeError naming the argument when a size, stride or array length does not fit.
 */
export type Sgemm = (
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: Float32Array,
  lda: number,
  b: Float32Array,
  ldb: number,
  beta: number,
  c: Float32Array,
  ldc: number,
) => void;

/**
 * TF.js's RMSProp step (centered = false) in one pass, in place, in the same float32 operations:
 * meanSquare = meanSquare·decay + grad²·(1 − decay); moment = moment·momentum + grad·learningRate / √(meanSquare + epsilon);
 * value = value − moment. All four arrays hold the same number of floats; a RangeError names any that does not.
 */
export type Rmsprop = (
  value: Float32Array,
  grad: Float32Array,
  meanSquare: Float32Array,
  moment: Float32Array,
  learningRate: number,
  decay: number,
  momentum: number,
  epsilon: number,
) => void;

/**
 * TF.js's Adam step in one pass, in place, in the same float32 operations: m = m·beta1 + grad·(1 − beta1);
 * v = v·beta2 + grad²·(1 − beta2); value = (m / oneMinusAccBeta1) / (√(v / oneMinusAccBeta2) + epsilon)·(−learningRate) + value.
 * The bias corrections 1 − beta^t are the optimizer's float32 figures for this step. All four arrays hold the
 * same number of floats; a RangeError names any that does not.
 */
export type Adam = (
  value: Float32Array,
  grad: Float32Array,
  m: Float32Array,
  v: Float32Array,
  learningRate: number,
  beta1: number,
  beta2: number,
  epsilon: number,
  oneMinusAccBeta1: number,
  oneMinusAccBeta2: number,
) => void;

/**
 * Column sums of a row-major matrix of `out.length` columns: out[j] = x[0][j] + x[1][j] + …, one
 * float32 accumulator per column, rows in order (the order of TF.js wasm's Sum over the leading
 * axis, so the bits match). A RangeError when x does not hold whole rows.
 */
export type ColumnSums = (x: Float32Array, out: Float32Array) => void;

/**
 * The multiplier `tf.dropout(x, 1 − keepProb, undefined, seed)` applies to a tensor of `out.length`
 * values, bit for bit: floor(u + keepProb) / keepProb in float32 for each draw u of TF.js's seeded
 * `randomUniform` (seedrandom's Alea, seeded with String(seed)). `seed` is a safe integer, keepProb in (0, 1].
 */
export type DropoutMask = (seed: number, keepProb: number, out: Float32Array) => void;

/**
 * A Keras L2 weight penalty as tfjs-layers computes it, in TF.js's float32 operations and order:
 * Σ l2·(x·x), summed from 0 in memory order (returned as the float32 value it is).
 */
export type L2Penalty = (x: Float32Array, l2: number) => number;

/**
 * Its gradient: out = d + d with d = scale·x in float32, where scale is the upstream gradient times l2
 * (float32). `out` holds as many floats as `x`, or a RangeError says so.
 */
export type L2PenaltyGrad = (x: Float32Array, scale: number, out: Float32Array) => void;

/**
 * Rows of a byte matrix as floats through a table: row i of `out` is table[b] for each byte b of row
 * `indices[i]` of `bytes` (rows of `rowSize` bytes). `table` holds 256 floats, `out` at least
 * indices.length × rowSize; an index outside the rows is a RangeError and nothing is written.
 */
export type GatherByteRows = (bytes: Uint8Array, rowSize: number, indices: Int32Array, table: Float32Array, out: Float32Array) => void;

/** x = x > 0 ? x : 0 in place (NaN and −0 become +0). */
export type Relu = (x: Float32Array) => void;

/**
 * A Dense layer's bias and relu after its matrix product, in place, as wasm's Add then Relu compute them:
 * t = c + bias[j] in float32, then t > 0 ? t : 0, except that NaN stays NaN. `c` holds whole rows of
 * `bias.length` columns, or a RangeError says so.
 */
export type BiasRelu = (c: Float32Array, bias: Float32Array) => void;

/**
 * The gradient of relu from its output y: out = dy · step(y) in float32, step(y) = 1 above 0, NaN for
 * NaN, else 0 (tfjs-core's dy · cast(step(x)), with y > 0 exactly where relu's input x > 0). dy, y and
 * out hold as many floats, or a RangeError names the one that does not.
 */
export type ReluGrad = (dy: Float32Array, y: Float32Array, out: Float32Array) => void;

/**
 * The gradient with respect to p of tfjs-layers' categoricalCrossentropy(target, p) per row, from the
 * forward pass's s = Σ_j p (one per row), q = p / s and c = clip(q, ε, 1 − ε), and dy (one per row), in
 * the float32 operations and order of tfjs-core's gradients for that chain. p, target, q, c and out
 * hold rows × classes floats, s and dy one per row; a RangeError names what does not fit.
 */
export type CrossentropyGrad = (
  p: Float32Array,
  target: Float32Array,
  q: Float32Array,
  c: Float32Array,
  s: Float32Array,
  dy: Float32Array,
  epsilon: number,
  out: Float32Array,
) => void;

/**
 * Where a 2-D convolution reads and writes, NHWC: TF.js's `Conv2DInfo` in
 * integers. Filters are [filterHeight, filterWidth, inChannels, outChannels]. Sizes ≥ 1, pads ≥ 0.
 */
export interface ConvGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  outChannels: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  dilationHeight: number;
  dilationWidth: number;
  padTop: number;
  padLeft: number;
}

/**
 * A convolution kernel on float32 NHWC arrays (im2col + sgemm), writing `out` in place; each array
 * must hold exactly the floats the geometry implies, or a RangeError names it.
 * conv2d(x, filter, y), conv2dBackpropInput(dy, filter, dx), conv2dBackpropFilter(x, dy, dw).
 */
export type ConvKernel = (a: Float32Array, b: Float32Array, out: Float32Array, geometry: ConvGeometry) => void;

/**
 * MaxPoolGrad on float32 NHWC arrays: x (the pooling's input), dy (the gradient of its output),
 * dx (written: the gradient of x). The geometry is the pooling's, with outChannels = inChannels.
 */
export type PoolGradKernel = (x: Float32Array, dy: Float32Array, dx: Float32Array, geometry: ConvGeometry) => void;

/** The compute kernels: the addon exports them and `NativeBlas` hands them on as they are. */
interface BlasKernels {
  sgemm: Sgemm;
  rmsprop: Rmsprop;
  adam: Adam;
  columnSums: ColumnSums;
  dropoutMask: DropoutMask;
  l2Penalty: L2Penalty;
  l2PenaltyGrad: L2PenaltyGrad;
  conv2d: ConvKernel;
  conv2dBackpropInput: ConvKernel;
  conv2dBackpropFilter: ConvKernel;
  maxPoolGrad: PoolGradKernel;
  gatherByteRows: GatherByteRows;
  relu: Relu;
  biasRelu: BiasRelu;
  reluGrad: ReluGrad;
  crossentropyGrad: CrossentropyGrad;
}

export interface NativeBlas extends BlasKernels {
  /** "openblas" when the library is OpenBLAS, else "blas"; the grader's backend name becomes `wasm+<kind>`. */
  kind: "openblas" | "blas";
  info(): BlasInfo;
}

export type BlasLoad = { ok: true; blas: NativeBlas } | { ok: false; reason: string };

/** The compiled addon's functions (src/native_blas.cc). */
interface Addon extends BlasKernels {
  open(path: string): BlasInfo;
  close(): void;
  info(): BlasInfo | undefined;
}

const ADDON_FUNCTIONS = [
  "open",
  "close",
  "info",
  "sgemm",
  "rmsprop",
  "adam",
  "columnSums",
  "dropoutMask",
  "l2Penalty",
  "l2PenaltyGrad",
  "conv2d",
  "conv2dBackpropInput",
  "conv2dBackpropFilter",
  "maxPoolGrad",
  "gatherByteRows",
  "relu",
  "biasRelu",
  "reluGrad",
  "crossentropyGrad",
] as const;

/** Tried in order when `STEPWISE_BLAS` names no library: OpenBLAS first, then whatever provides libblas.so.3. */
export const DEFAULT_LIBRARIES = ["libopenblas.so.0", "libopenblas.so", "libblas.so.3"] as const;

export const DEFAULT_ADDON = fileURLToPath(new URL("../build/Release/native_blas.node", import.meta.url));

export interface LoadOptions {
  /**
   * `STEPWISE_BLAS`: unset, "" or "auto" tries {@link DEFAULT_LIBRARIES}; "off" loads nothing;
   * an absolute path loads that library only. Defaults to the process environment's value:
   * this loader is the one place that reads it, so every process (grader children included) obeys it.
   */
  setting?: string | undefined;
  /** The compiled addon; tests point it elsewhere to see the "not built" path. */
  addonPath?: string;
}

/**
 * Debian's reference BLAS (the `libblas3` package, in `…/blas/`) also answers to libblas.so.3, but
 * runs sgemm at ~2.7 GFLOPS here, ten times slower than wasm's own matmul: refuse it.
 */
const REFERENCE_BLAS = /\/blas\/libblas\.so/;

let addonCache: { path: string; addon: Addon } | undefined;

function loadAddon(path: string): Addon | string {
  if (addonCache?.path === path) return addonCache.addon;
  if (!existsSync(path))
    return `the native-blas addon is not built (${path} is missing; \`pnpm install\` builds it, see packages/native-blas/build/build.log)`;
  try {
    const loaded = createRequire(import.meta.url)(path) as Partial<Addon>;
    if (!ADDON_FUNCTIONS.every((name) => typeof loaded[name] === "function")) {
      return `${path} is not the native-blas addon, or an older build of it (it lacks one of ${ADDON_FUNCTIONS.join("/")}; rebuild with \`pnpm --filter @stepwise/native-blas build\`)`;
    }
    const addon = loaded as Addon;
    addonCache = { path, addon };
    return addon;
  } catch (error) {
    return `the native-blas addon does not load: ${firstLine(error)}`;
  }
}

function librariesFor(setting: string | undefined): readonly string[] | string {
  const value = (setting ?? "").trim();
  if (value === "" || value === "auto") return DEFAULT_LIBRARIES;
  if (value === "off") return "STEPWISE_BLAS=off";
  if (value.startsWith("/")) return [value];
  return `STEPWISE_BLAS must be "off", "auto" or an absolute path to a BLAS library, got ${JSON.stringify(value)}`;
}

function wrap(addon: Addon, info: BlasInfo): NativeBlas {
  return {
    kind: info.openblas ? "openblas" : "blas",
    sgemm: addon.sgemm,
    rmsprop: addon.rmsprop,
    adam: addon.adam,
    columnSums: addon.columnSums,
    dropoutMask: addon.dropoutMask,
    l2Penalty: addon.l2Penalty,
    l2PenaltyGrad: addon.l2PenaltyGrad,
    conv2d: addon.conv2d,
    conv2dBackpropInput: addon.conv2dBackpropInput,
    conv2dBackpropFilter: addon.conv2dBackpropFilter,
    maxPoolGrad: addon.maxPoolGrad,
    gatherByteRows: addon.gatherByteRows,
    relu: addon.relu,
    biasRelu: addon.biasRelu,
    reluGrad: addon.reluGrad,
    crossentropyGrad: addon.crossentropyGrad,
    info: () => addon.info() ?? info,
  };
}

/**
 * Loads the addon and a BLAS, or says why not. Never throws: without the addon or the library the
 * caller trains on wasm. One BLAS per process: a second call returns the one already loaded when
 * the setting allows it.
 */
export function loadNativeBlas(options: LoadOptions = {}): BlasLoad {
  // The one variable read below the apps: it must reach sandboxed training children, which parse no
  // config and receive only an allowlisted environment.
  // eslint-disable-next-line no-restricted-properties -- see above
  const setting = "setting" in options ? options.setting : process.env.STEPWISE_BLAS;
  const libraries = librariesFor(setting);
  if (typeof libraries === "string") return { ok: false, reason: libraries };
  const addon = loadAddon(options.addonPath ?? DEFAULT_ADDON);
  if (typeof addon === "string") return { ok: false, reason: addon };

  const current = addon.info();
  if (current) {
    if (libraries === DEFAULT_LIBRARIES || libraries.includes(current.path)) return { ok: true, blas: wrap(addon, current) };
    return { ok: false, reason: `${current.path} is already loaded in this process; it cannot switch to ${libraries.join(", ")}` };
  }
  const reasons: string[] = [];
  for (const library of libraries) {
    try {
      const info = addon.open(library);
      if (!info.openblas && REFERENCE_BLAS.test(info.resolved)) {
        addon.close();
        reasons.push(`${library} is the reference BLAS (${info.resolved}), slower than wasm's matmul`);
        continue;
      }
      return { ok: true, blas: wrap(addon, info) };
    } catch (error) {
      reasons.push(firstLine(error).replace(/^open: /, ""));
    }
  }
  return { ok: false, reason: `no usable BLAS: ${reasons.join("; ")}` };
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n")[0]?.slice(0, 300) ?? "";
}
