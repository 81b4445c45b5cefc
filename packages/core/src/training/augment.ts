import { ValidationError } from "../contracts/errors";
import type { Augmentation, FitConfig } from "../contracts/training";
import { mulberry32 } from "./rng";

/** One image's transform: rotation (radians) about the centre, scale, then translation (pixels). */
export interface ImageTransform {
  rotation: number;
  /** 1 = unchanged; 1.1 shows the content 10% larger. */
  scale: number;
  /** Pixels to the right. */
  dx: number;
  /** Pixels down. */
  dy: number;
}

/** Height, width and channels of one image, row-major with channels last (MNIST: [28, 28, 1]). */
export type ImageShape = readonly [height: number, width: number, channels: number];

/**
 * Salt of the augmentation's random stream. It has a generator of its own, so turning augmentation
 * on or off never changes the epoch's shuffles or dropout masks, which draw from the training seed's.
 */
const AUGMENT_SALT = 0x0a06_3e17;

/** The augmentation's random stream for a training seed. */
export function augmentationRandom(seed: number): () => number {
  return mulberry32(Math.imul(seed ^ AUGMENT_SALT, 0x9e37_79b1) ^ AUGMENT_SALT);
}

/**
 * The image shape of a dataset's examples, or a ValidationError: augmentation moves pixels, which
 * only means something for images (rank-3 natural shape).
 */
export function imageShapeOf(naturalShape: readonly number[]): ImageShape {
  const [height = 0, width = 0, channels = 0] = naturalShape;
  if (naturalShape.length !== 3 || !(height > 0 && width > 0 && channels > 0)) {
    throw new ValidationError(
      `data augmentation applies to images (MNIST); this dataset's examples are ${naturalShape.length === 1 ? `vectors of ${naturalShape[0] ?? 0} values` : `of shape [${naturalShape.join(", ")}]`}, not height × width × channels images. Remove \`augmentation\` from the training settings`,
      "training.fit.augmentation",
    );
  }
  return [height, width, channels];
}

/** Uniform in [−bound, bound]; exactly 0 for a bound of 0 (the draw is still taken, so the stream stays aligned). */
const symmetric = (random: () => number, bound: number) => {
  const u = random();
  return bound === 0 ? 0 : (2 * u - 1) * bound;
};

/** Draws one image's transform within the bounds: four draws per image, whatever the bounds. */
export function drawTransform(config: Augmentation, random: () => number): ImageTransform {
  const rotation = (symmetric(random, config.rotation) * Math.PI) / 180;
  const scale = 1 + symmetric(random, config.zoom);
  const dx = symmetric(random, config.shift);
  const dy = symmetric(random, config.shift);
  return { rotation, scale, dx, dy };
}

/**
 * Writes the transformed image `src` into `dst` (both `height·width·channels` floats at the given
 * offsets). Inverse mapping: each output pixel asks where it came from — undo the translation, then
 * rotation and zoom about the centre — and samples the source there bilinearly, reading 0 outside
 * the image. The source position moves linearly along a row, so the inner loop adds two increments
 * instead of multiplying, and allocates nothing.
 */
export function transformImage(
  src: Float32Array,
  srcOffset: number,
  dst: Float32Array,
  dstOffset: number,
  shape: ImageShape,
  t: ImageTransform,
): void {
  const [height, width, channels] = shape;
  const size = height * width * channels;
  if (t.rotation === 0 && t.scale === 1 && t.dx === 0 && t.dy === 0) {
    dst.set(src.subarray(srcOffset, srcOffset + size), dstOffset);
    return;
  }
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  // Inverse of (rotate by θ, scale by s): rotate by −θ, scale by 1/s.
  const cos = Math.cos(t.rotation) / t.scale;
  const sin = Math.sin(t.rotation) / t.scale;
  const rowStride = width * channels;
  for (let y = 0; y < height; y++) {
    const v = y - cy - t.dy;
    const u0 = -cx - t.dx;
    // Source position of output pixel (0, y); each step right adds (cos, −sin).
    let sx = cos * u0 + sin * v + cx;
    let sy = -sin * u0 + cos * v + cy;
    for (let x = 0; x < width; x++, sx += cos, sy -= sin) {
      const out = dstOffset + (y * width + x) * channels;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      if (x0 < -1 || y0 < -1 || x0 >= width || y0 >= height) {
        for (let c = 0; c < channels; c++) dst[out + c] = 0;
        continue;
      }
      const fx = sx - x0;
      const fy = sy - y0;
      const w00 = (1 - fx) * (1 - fy);
      const w10 = fx * (1 - fy);
      const w01 = (1 - fx) * fy;
      const w11 = fx * fy;
      const base = srcOffset + y0 * rowStride + x0 * channels;
      if (x0 >= 0 && y0 >= 0 && x0 + 1 < width && y0 + 1 < height) {
        // Inside the image (most pixels): no bounds to check; indices are in range by construction.
        for (let c = 0; c < channels; c++) {
          const p = base + c;
          dst[out + c] =
            w00 * (src[p] as number) +
            w10 * (src[p + channels] as number) +
            w01 * (src[p + rowStride] as number) +
            w11 * (src[p + rowStride + channels] as number);
        }
        continue;
      }
      const inX0 = x0 >= 0;
      const inX1 = x0 + 1 < width;
      const inY0 = y0 >= 0;
      const inY1 = y0 + 1 < height;
      for (let c = 0; c < channels; c++) {
        let value = 0;
        if (inY0) {
          if (inX0) value += w00 * (src[base + c] ?? 0);
          if (inX1) value += w10 * (src[base + channels + c] ?? 0);
        }
        if (inY1) {
          if (inX0) value += w01 * (src[base + rowStride + c] ?? 0);
          if (inX1) value += w11 * (src[base + rowStride + channels + c] ?? 0);
        }
        dst[out + c] = value;
      }
    }
  }
}

/**
 * Augments a batch of `count` images (row-major, `count · height · width · channels` floats): each
 * image gets its own transform drawn from `random`. Pure apart from the draws: `images` is left
 * unchanged and the result goes to `out` (a new array unless one is given, which may be reused).
 * Labels are not involved: an augmented image keeps its example's label.
 */
export function augmentBatch(
  images: Float32Array,
  count: number,
  shape: ImageShape,
  config: Augmentation,
  random: () => number,
  out: Float32Array = new Float32Array(images.length),
): Float32Array {
  const size = shape[0] * shape[1] * shape[2];
  if (images.length < count * size || out.length < count * size) {
    throw new RangeError(
      `augmentBatch: ${count} images of ${size} values need ${count * size} floats; got ${images.length} in and ${out.length} out`,
    );
  }
  for (let i = 0; i < count; i++) transformImage(images, i * size, out, i * size, shape, drawTransform(config, random));
  return out;
}

/** The harness's augmenter: its own seeded stream and one output buffer reused for every batch. */
export class BatchAugmenter {
  private out: Float32Array;
  private readonly random: () => number;

  constructor(
    private readonly config: Augmentation,
    private readonly shape: ImageShape,
    seed: number,
    maxBatch: number,
  ) {
    this.random = augmentationRandom(seed);
    this.out = new Float32Array(maxBatch * shape[0] * shape[1] * shape[2]);
  }

  /** The augmented copy of the first `count` images of `batch`; valid until the next call. */
  apply(batch: Float32Array, count: number): Float32Array {
    const size = this.shape[0] * this.shape[1] * this.shape[2];
    if (this.out.length < count * size) this.out = new Float32Array(count * size);
    return augmentBatch(batch, count, this.shape, this.config, this.random, this.out.subarray(0, count * size));
  }
}

/**
 * The training batches' augmenter of a run, or undefined when `fit` asks for none: `train` and
 * `trainSteps` build it alike, so the experiments see the batches grading trains on.
 */
export function augmenterFor(
  fit: Pick<FitConfig, "augmentation" | "batchSize">,
  set: { naturalShape: readonly number[] },
  seed: number,
): BatchAugmenter | undefined {
  return fit.augmentation && new BatchAugmenter(fit.augmentation, imageShapeOf(set.naturalShape), seed, fit.batchSize);
}
