import { describe, expect, it } from "vitest";
import { loadNativeBlas, type ConvGeometry, type NativeBlas } from "./index";

/** Deterministic values in [-1, 1). */
function values(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  });
}

/** Calls f(xIndex, yIndex, wIndex) for every multiply-add of the convolution's definition, -1 for padding. */
function taps(g: ConvGeometry, f: (xi: number, yi: number, wi: number) => void): void {
  for (let b = 0; b < g.batch; b++)
    for (let oh = 0; oh < g.outHeight; oh++)
      for (let ow = 0; ow < g.outWidth; ow++)
        for (let kh = 0; kh < g.filterHeight; kh++)
          for (let kw = 0; kw < g.filterWidth; kw++) {
            const ih = oh * g.strideHeight + kh * g.dilationHeight - g.padTop;
            const iw = ow * g.strideWidth + kw * g.dilationWidth - g.padLeft;
            if (ih < 0 || ih >= g.inHeight || iw < 0 || iw >= g.inWidth) continue;
            for (let ci = 0; ci < g.inChannels; ci++)
              for (let co = 0; co < g.outChannels; co++) {
                f(
                  ((b * g.inHeight + ih) * g.inWidth + iw) * g.inChannels + ci,
                  ((b * g.outHeight + oh) * g.outWidth + ow) * g.outChannels + co,
                  ((kh * g.filterWidth + kw) * g.inChannels + ci) * g.outChannels + co,
                );
              }
          }
}

function geometry(
  batch: number,
  inH: number,
  inW: number,
  inC: number,
  outC: number,
  fh: number,
  fw: number,
  stride: number,
  dilation: number,
  padding: "valid" | "same",
): ConvGeometry {
  const out = (n: number, f: number) => (padding === "same" ? Math.ceil(n / stride) : Math.ceil((n - (f - 1) * dilation) / stride));
  const pad = (n: number, f: number) =>
    padding === "same" ? Math.floor(Math.max((out(n, f) - 1) * stride + (f - 1) * dilation + 1 - n, 0) / 2) : 0;
  return {
    batch,
    inHeight: inH,
    inWidth: inW,
    inChannels: inC,
    outHeight: out(inH, fh),
    outWidth: out(inW, fw),
    outChannels: outC,
    filterHeight: fh,
    filterWidth: fw,
    strideHeight: stride,
    strideWidth: stride,
    dilationHeight: dilation,
    dilationWidth: dilation,
    padTop: pad(inH, fh),
    padLeft: pad(inW, fw),
  };
}

const loaded = loadNativeBlas({ setting: "auto" });

describe.runIf(loaded.ok)("conv2d kernels against the definition", () => {
  const blas = (): NativeBlas => {
    if (!loaded.ok) throw new Error(loaded.reason);
    return loaded.blas;
  };
  const cases: [string, ConvGeometry][] = [
    ["3×3 valid, 1 channel", geometry(3, 9, 8, 1, 4, 3, 3, 1, 1, "valid")],
    ["3×3 same stride 2", geometry(2, 9, 7, 3, 5, 3, 3, 2, 1, "same")],
    ["5×2 valid stride 3", geometry(2, 11, 10, 2, 3, 5, 2, 3, 1, "valid")],
    ["1×1 pointwise (no im2col)", geometry(2, 5, 6, 7, 4, 1, 1, 1, 1, "valid")],
    ["3×3 same dilation 2", geometry(1, 9, 9, 2, 3, 3, 3, 1, 2, "same")],
    // 64×64×8 images with a 5×5 filter fill 819,200 im2col floats each; the 2 Mi-float buffer takes
    // 2 at a time, so 5 images run in 3 chunks (the filter gradient accumulates across them).
    ["chunked batch", geometry(5, 64, 64, 8, 2, 5, 5, 1, 1, "same")],
  ];
  it.each(cases)("%s", (_name, g) => {
    const xn = g.batch * g.inHeight * g.inWidth * g.inChannels;
    const yn = g.batch * g.outHeight * g.outWidth * g.outChannels;
    const wn = g.filterHeight * g.filterWidth * g.inChannels * g.outChannels;
    const [x, w, dy] = [values(xn, 1), values(wn, 2), values(yn, 3)];
    const [y, dx, dw] = [new Float64Array(yn), new Float64Array(xn), new Float64Array(wn)];
    taps(g, (xi, yi, wi) => {
      y[yi] = (y[yi] ?? 0) + (x[xi] ?? 0) * (w[wi] ?? 0);
      dx[xi] = (dx[xi] ?? 0) + (dy[yi] ?? 0) * (w[wi] ?? 0);
      dw[wi] = (dw[wi] ?? 0) + (x[xi] ?? 0) * (dy[yi] ?? 0);
    });
    // Garbage in the outputs first: every kernel must overwrite, not accumulate into, what it is given.
    const [gy, gdx, gdw] = [values(yn, 4), values(xn, 5), values(wn, 6)];
    blas().conv2d(x, w, gy, g);
    blas().conv2dBackpropInput(dy, w, gdx, g);
    blas().conv2dBackpropFilter(x, dy, gdw, g);
    const close = (got: Float32Array, want: Float64Array, terms: number) =>
      got.forEach((v, i) => expect(Math.abs(v - (want[i] ?? Number.NaN))).toBeLessThanOrEqual(1e-6 * terms));
    close(gy, y, g.filterHeight * g.filterWidth * g.inChannels);
    close(gdx, dx, g.filterHeight * g.filterWidth * g.outChannels);
    close(gdw, dw, g.batch * g.outHeight * g.outWidth);
  });

  const g = geometry(2, 5, 5, 1, 2, 3, 3, 1, 1, "valid");
  const f = (n: number) => new Float32Array(n);
  it.each([
    ["a short x", () => blas().conv2d(f(49), f(18), f(36), g), "conv2d: x holds 49 floats, the geometry needs 50"],
    [
      "a long dw",
      () => blas().conv2dBackpropFilter(f(50), f(36), f(19), g),
      "conv2dBackpropFilter: dw holds 19 floats, the geometry needs 18",
    ],
    [
      "a zero stride",
      () => blas().conv2d(f(50), f(18), f(36), { ...g, strideHeight: 0 }),
      "conv2d: geometry.strideHeight must be an integer in [1, 65535], got 0",
    ],
    [
      "a negative pad",
      () => blas().conv2dBackpropInput(f(36), f(18), f(50), { ...g, padLeft: -1 }),
      "conv2dBackpropInput: geometry.padLeft must be an integer in [0, 65535], got -1",
    ],
    [
      "a missing field",
      () => blas().conv2d(f(50), f(18), f(36), { ...g, batch: undefined } as unknown as ConvGeometry),
      "conv2d: geometry.batch must be an integer in [1, 65535], got undefined",
    ],
    [
      "a Float64Array",
      () => blas().conv2d(new Float64Array(50) as unknown as Float32Array, f(18), f(36), g),
      "conv2d: x must be a Float32Array, got a typed array of another type",
    ],
  ])("refuses %s with a RangeError that names it", (_name, call, message) => {
    expect(call).toThrow(RangeError);
    expect(call).toThrow(message);
  });
});
