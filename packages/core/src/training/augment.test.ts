import { describe, expect, it } from "vitest";
import { ValidationError } from "../contracts/errors";
import { Augmentation } from "../contracts/training";
import { augmentationRandom, augmentBatch, imageShapeOf, transformImage, type ImageShape, type ImageTransform } from "./augment";
import { range } from "./rng";
import { mnistSlice } from "./testing";

const MNIST: ImageShape = [28, 28, 1];
const identity: ImageTransform = { rotation: 0, scale: 1, dx: 0, dy: 0 };

/** The first `n` MNIST training images, as the harness gathers them. */
function mnistBatch(n: number): { images: Float32Array; labels: Int32Array } {
  const set = mnistSlice(n);
  const images = new Float32Array(n * 784);
  set.gatherInputs(range(n), images);
  return { images, labels: set.labels instanceof Int32Array ? set.labels : new Int32Array(0) };
}

/** A 5×5 one-channel image, zero but for one pixel. */
function dot(x: number, y: number, shape: ImageShape = [5, 5, 1]): Float32Array {
  const image = new Float32Array(shape[0] * shape[1] * shape[2]);
  image[(y * shape[1] + x) * shape[2]] = 1;
  return image;
}

const transformed = (src: Float32Array, t: ImageTransform, shape: ImageShape = [5, 5, 1]) => {
  const out = new Float32Array(src.length).fill(Number.NaN);
  transformImage(src, 0, out, 0, shape, t);
  return out;
};

const config = (over: Partial<Augmentation>): Augmentation => ({ shift: 0, rotation: 0, zoom: 0, ...over });

describe("transformImage", () => {
  it.each([
    ["right", { dx: 1, dy: 0 }, [3, 2]],
    ["left", { dx: -1, dy: 0 }, [1, 2]],
    ["down", { dx: 0, dy: 1 }, [2, 3]],
    ["up two", { dx: 0, dy: -2 }, [2, 0]],
  ] as const)("a shift %s moves a known pixel by exactly that many pixels", (_what, shift, [x, y]) => {
    const out = transformed(dot(2, 2), { ...identity, ...shift });
    expect(Array.from(out)).toEqual(Array.from(dot(x, y)));
  });

  it("fills what comes in from outside the image with zeros", () => {
    const full = new Float32Array(25).fill(1);
    const out = transformed(full, { ...identity, dx: 2 });
    for (let y = 0; y < 5; y++) expect(Array.from(out.subarray(y * 5, y * 5 + 5))).toEqual([0, 0, 1, 1, 1]);
  });

  it("rotates about the centre: a quarter turn takes the pixel right of centre to below it (y points down)", () => {
    const out = transformed(dot(3, 2), { ...identity, rotation: Math.PI / 2 });
    const expected = dot(2, 3);
    out.forEach((v, i) => expect(v).toBeCloseTo(expected[i] ?? 0, 6));
  });

  it("zooms about the centre: scale 2 moves a pixel twice as far from the centre", () => {
    const out = transformed(dot(3, 2), { ...identity, scale: 2 });
    expect(out[2 * 5 + 4]).toBeCloseTo(1, 6);
    expect(out[2 * 5 + 3]).toBeCloseTo(0.5, 6);
  });

  it("splits a half-pixel shift evenly between two pixels (bilinear), and keeps every channel apart", () => {
    const shape: ImageShape = [3, 3, 2];
    const src = new Float32Array(18);
    src[(1 * 3 + 1) * 2] = 1;
    src[(1 * 3 + 1) * 2 + 1] = 4;
    const out = transformed(src, { ...identity, dx: 0.5 }, shape);
    expect([out[(1 * 3 + 1) * 2], out[(1 * 3 + 2) * 2], out[(1 * 3 + 1) * 2 + 1], out[(1 * 3 + 2) * 2 + 1]]).toEqual([0.5, 0.5, 2, 2]);
  });
});

describe("augmentBatch", () => {
  const { images, labels } = mnistBatch(64);
  const settings = config({ shift: 2, rotation: 10, zoom: 0.1 });

  it("gives byte-identical batches for the same seed and different ones for another seed", () => {
    const a = augmentBatch(images, 64, MNIST, settings, augmentationRandom(7));
    const b = augmentBatch(images, 64, MNIST, settings, augmentationRandom(7));
    const c = augmentBatch(images, 64, MNIST, settings, augmentationRandom(8));
    expect(Buffer.from(b.buffer).equals(Buffer.from(a.buffer))).toBe(true);
    expect(Buffer.from(c.buffer).equals(Buffer.from(a.buffer))).toBe(false);
  });

  it("leaves its input and the labels untouched and keeps pixel values in range", () => {
    const before = images.slice();
    const labelsBefore = labels.slice();
    const out = augmentBatch(images, 64, MNIST, settings, augmentationRandom(1));
    const same = (a: Float32Array | Int32Array, b: Float32Array | Int32Array) => Buffer.from(a.buffer).equals(Buffer.from(b.buffer));
    expect(same(images, before)).toBe(true);
    expect(same(labels, labelsBefore)).toBe(true);
    expect(same(out, images)).toBe(false);
    expect(out.reduce((m, v) => Math.min(m, v), Infinity)).toBeGreaterThanOrEqual(0);
    expect(out.reduce((m, v) => Math.max(m, v), -Infinity)).toBeLessThanOrEqual(1 + 1e-6);
    // Small transforms keep a digit's ink: each image keeps most of its total brightness.
    for (let i = 0; i < 64; i++) {
      const sum = (a: Float32Array) => a.subarray(i * 784, (i + 1) * 784).reduce((s, v) => s + v, 0);
      expect(sum(out) / sum(images)).toBeGreaterThan(0.7);
    }
  });

  it("is the identity with rotation 0, zoom 0 and shift 0", () => {
    const out = augmentBatch(images, 64, MNIST, config({}), augmentationRandom(3));
    expect(Buffer.from(out.buffer).equals(Buffer.from(images.buffer))).toBe(true);
  });
});

describe("the contract", () => {
  it.each([
    [{ shift: 5 }, /shift must be ≤ 4 pixels/],
    [{ rotation: 45 }, /rotation must be ≤ 30 degrees/],
    [{ zoom: -0.1 }, /zoom must be ≥ 0/],
    [{}, /needs a shift, rotation or zoom above 0/],
    [{ shift: 1, flip: true }, /flip/],
  ])("refuses %j", (value, message) => {
    const result = Augmentation.safeParse(value);
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toMatch(message);
  });

  it("fills the bounds not given with 0", () => {
    expect(Augmentation.parse({ rotation: 10 })).toEqual({ shift: 0, rotation: 10, zoom: 0 });
  });

  it.each([
    [[784], /vectors of 784 values/],
    [[200], /vectors of 200 values/],
    [[28, 28], /of shape \[28, 28\]/],
  ])("applies to images only: %j is refused with a ValidationError", (shape, message) => {
    expect(() => imageShapeOf(shape)).toThrow(ValidationError);
    expect(() => imageShapeOf(shape)).toThrow(message);
    expect(() => imageShapeOf(shape)).toThrow(/applies to images \(MNIST\)/);
  });
});
