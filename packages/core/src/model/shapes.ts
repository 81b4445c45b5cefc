import { ValidationError } from "../contracts/errors";

export function product(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Output length of a sliding window, as TF.js's `convOutputLength` (dilation 1). */
export function windowOutput(length: number, window: number, stride: number, padding: "valid" | "same"): number {
  return padding === "same" ? Math.ceil(length / stride) : Math.ceil((length - window + 1) / stride);
}

export function expectRank(className: string, input: readonly number[], rank: number, meaning: string, path: string): void {
  if (input.length !== rank) {
    throw new ValidationError(
      `${className} expects a per-example input of rank ${rank} (${meaning}), got shape [${input.join(", ")}]`,
      path,
    );
  }
}

/** Spatial output of a conv/pool layer; rejects windows larger than their input. */
export function spatialOutput(
  className: string,
  spatial: readonly number[],
  window: readonly number[],
  strides: readonly number[],
  padding: "valid" | "same",
  path: string,
): number[] {
  return spatial.map((length, i) => {
    const out = windowOutput(length, window[i] ?? 1, strides[i] ?? 1, padding);
    if (out < 1) {
      throw new ValidationError(
        `${className} window ${window[i]} is larger than its input (${length}) with padding "valid"; use a smaller window or padding "same"`,
        path,
      );
    }
    return out;
  });
}
