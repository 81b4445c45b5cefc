import type { KernelConfig, KernelFunc, TensorInfo } from "@tensorflow/tfjs-core";
import type { Tf } from "./tf";

/**
 * Conv2DBackpropFilter on wasm, as a convolution wasm already does fast. The filter gradient
 * dW[kh,kw,ci,co] = Σ_{b,oh,ow} x[b, oh·s+kh, ow·s+kw, ci] · dy[b,oh,ow,co] is itself a valid
 * convolution of x (batch and channels swapped) with dy as the filter, dilated by the stride.
 * Measured (x 64×28×28×1, 3×3×1×4 filter): cpu fallback 389 ms per call, this one ~3 ms —
 * the cpu kernel walks TensorBuffer.get per element.
 */
export function conv2dBackpropFilterViaConv(tf: Tf): KernelConfig | undefined {
  const k = (name: string) => tf.getKernel(name, "wasm");
  const conv = k("Conv2D");
  const transpose = k("Transpose");
  const pad = k("PadV2");
  const slice = k("Slice");
  const fallback = k("Conv2DBackpropFilter");
  if (!conv || !transpose || !pad || !slice) return undefined;
  const kernelFunc: KernelFunc = (args) => {
    const { inputs, backend, attrs = {} } = args;
    const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
    const filterShape = attrs.filterShape as [number, number, number, number];
    const dataFormat = attrs.dataFormat as "NHWC" | "NCHW";
    if (dataFormat === "NCHW" && fallback) return fallback.kernelFunc(args);
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      filterShape,
      attrs.strides as [number, number],
      1,
      attrs.pad as "valid",
      attrs.dimRoundingMode as "round" | undefined,
    );
    const temps: TensorInfo[] = [];
    const run = (kernel: KernelConfig, kInputs: Record<string, TensorInfo>, kAttrs: Record<string, unknown>): TensorInfo => {
      const out = kernel.kernelFunc({ inputs: kInputs, backend, attrs: kAttrs as never }) as TensorInfo;
      temps.push(out);
      return out;
    };
    try {
      const { top, bottom, left, right } = info.padInfo;
      const padded =
        top || bottom || left || right
          ? run(
              pad,
              { x },
              {
                paddings: [
                  [0, 0],
                  [top, bottom],
                  [left, right],
                  [0, 0],
                ],
                constantValue: 0,
              },
            )
          : x;
      const xT = run(transpose, { x: padded }, { perm: [3, 1, 2, 0] });
      const dyT = run(transpose, { x: dy }, { perm: [1, 2, 0, 3] });
      const full = run(
        conv,
        { x: xT, filter: dyT },
        {
          strides: [1, 1],
          pad: "valid",
          dataFormat: "NHWC",
          dilations: [info.strideHeight, info.strideWidth],
          dimRoundingMode: undefined,
        },
      );
      const [kh, kw, ci, co] = filterShape;
      const cut =
        full.shape[1] === kh && full.shape[2] === kw ? full : run(slice, { x: full }, { begin: [0, 0, 0, 0], size: [ci, kh, kw, co] });
      const result = transpose.kernelFunc({ inputs: { x: cut }, backend, attrs: { perm: [1, 2, 0, 3] } }) as TensorInfo;
      return result;
    } finally {
      const disposer = backend as unknown as { disposeData(id: object): boolean };
      for (const t of temps) disposer.disposeData(t.dataId);
    }
  };
  return { kernelName: "Conv2DBackpropFilter", backendName: "wasm", kernelFunc };
}
