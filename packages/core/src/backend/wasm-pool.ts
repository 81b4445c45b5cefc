import type { KernelConfig, KernelFunc, TensorInfo } from "@tensorflow/tfjs-core";
import { isWasmHeapBackend } from "./heap";
import { activeBlas } from "./blas-kernels";
import { geometry } from "./conv-kernels";
import type { Tf } from "./tf";

/**
 * MaxPoolGrad for wasm, replacing tfjs-backend-wasm 4.22's, which loses gradient: summed over a
 * [1,8,8,1] input with 2×2 windows it returns 12 where every one of the 16 windows passes 1 back
 * (4 windows' gradients vanish; [4,26,26,8]: 5,097 of 5,408), so a MaxPooling2D model trained on
 * wasm learned from wrong gradients. This one gives each window's gradient to its first maximum
 * in row-major window order (strictly greater wins), as the cpu backend does (bit-identical to it
 * where windows do not overlap; wasm-pool.test.ts). One pass over the wasm heap, no copies, in the
 * native addon when it is loaded (the JS loop was the largest kernel left in a CNN's training step);
 * NCHW and other dtypes keep the kernel it replaces.
 */
export function maxPoolGradOnHeap(tf: Tf): KernelConfig | undefined {
  const replaced = tf.getKernel("MaxPoolGrad", "wasm");
  if (!replaced) return undefined;
  const kernelFunc: KernelFunc = (args) => {
    const { dy, input } = args.inputs as { dy?: TensorInfo; input?: TensorInfo };
    const backend = args.backend;
    const attrs = (args.attrs ?? {}) as unknown as {
      filterSize: [number, number] | number;
      strides: [number, number] | number;
      pad: "valid" | "same" | number;
      dimRoundingMode?: "floor" | "round" | "ceil";
    };
    if (!dy || !input || dy.dtype !== "float32" || input.dtype !== "float32" || !isWasmHeapBackend(backend))
      return replaced.kernelFunc(args);
    const info = tf.backend_util.computePool2DInfo(
      input.shape as [number, number, number, number],
      attrs.filterSize,
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
    );
    const out = backend.makeOutput(input.shape, "float32");
    // Views only now: makeOutput may have grown (and so detached) the heap.
    const x = backend.typedArrayFromHeap(input) as Float32Array;
    const g = backend.typedArrayFromHeap(dy) as Float32Array;
    const dx = backend.typedArrayFromHeap(out) as Float32Array;
    const native = activeBlas(tf)?.maxPoolGrad;
    if (native) native(x, g, dx, geometry(info));
    else maxPoolGradLoop(x, g, dx, info);
    return out;
  };
  return { kernelName: "MaxPoolGrad", backendName: "wasm", kernelFunc };
}

type PoolInfo = ReturnType<Tf["backend_util"]["computePool2DInfo"]>;

/**
 * The same rule in JS, for wasm without the native addon (and the reference the addon is tested
 * against): writes every element of `dx`.
 */
export function maxPoolGradLoop(x: Float32Array, g: Float32Array, dx: Float32Array, info: PoolInfo): void {
  dx.fill(0);
  const { batchSize, inHeight, inWidth, inChannels: c, outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const { top, left } = info.padInfo;
  // Per window, the channels' running maxima side by side: the inner loop walks contiguous NHWC
  // channels (4× faster than one channel's window at a time on MNIST's 26×26×8 activations).
  const best = new Float32Array(c);
  const where = new Int32Array(c);
  let at = 0;
  for (let b = 0; b < batchSize; b++) {
    const image = b * inHeight * inWidth * c;
    for (let oh = 0; oh < outHeight; oh++) {
      const h0 = oh * strideHeight - top;
      const hStart = Math.max(h0, 0);
      const hEnd = Math.min(h0 + filterHeight, inHeight);
      for (let ow = 0; ow < outWidth; ow++, at += c) {
        const w0 = ow * strideWidth - left;
        const wStart = Math.max(w0, 0);
        const wEnd = Math.min(w0 + filterWidth, inWidth);
        if (hStart >= hEnd || wStart >= wEnd) continue;
        // The window's first pixel starts every channel's maximum; later ones replace it only when strictly greater.
        const first = image + (hStart * inWidth + wStart) * c;
        for (let ci = 0; ci < c; ci++) {
          best[ci] = x[first + ci] as number;
          where[ci] = first + ci;
        }
        for (let h = hStart; h < hEnd; h++) {
          for (let w = h === hStart ? wStart + 1 : wStart; w < wEnd; w++) {
            const pixel = image + (h * inWidth + w) * c;
            for (let ci = 0; ci < c; ci++) {
              const v = x[pixel + ci] as number;
              if (v > (best[ci] as number)) {
                best[ci] = v;
                where[ci] = pixel + ci;
              }
            }
          }
        }
        for (let ci = 0; ci < c; ci++) {
          const i = where[ci] as number;
          dx[i] = (dx[i] as number) + (g[at + ci] as number);
        }
      }
    }
  }
}
