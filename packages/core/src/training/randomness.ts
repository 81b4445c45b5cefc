import type { LayersModel, Tensor } from "@tensorflow/tfjs";
import { drawDropoutNatively } from "../backend/dropout";
import type { Tf } from "../backend/tf";

interface DropoutLayer {
  seed?: number;
}

interface RnnCell {
  dropoutFunc?: (x: Tensor, rate: number) => Tensor;
  dropoutMask?: Tensor | Tensor[] | null;
  recurrentDropoutMask?: Tensor | Tensor[] | null;
}

function cells(model: LayersModel): RnnCell[] {
  return model.layers.flatMap((layer) => {
    const cell = (layer as unknown as { cell?: RnnCell }).cell;
    return cell ? [cell] : [];
  });
}

/**
 * Makes every random draw of a training step come from our seeded generator, so runs repeat
 * exactly while masks still differ between steps. TF.js draws dropout masks from Math.random
 * unless given a seed, and a fixed seed repeats one mask forever; so each step sets a fresh seed
 * on every Dropout layer, and RNN cells get a `dropoutFunc` (a TF.js hook) drawing a fresh seed
 * per mask. Chosen over replacing Math.random globally: that would leak into unrelated code
 * running during the awaits of the loop, and break when two trainings interleave. On the native
 * path the Dropout layers draw the same masks from those seeds in the addon (backend/dropout.ts).
 */
export function seededSteps(tf: Tf, model: LayersModel, random: () => number): () => void {
  const next = (): number => Math.floor(random() * 2 ** 31) + 1;
  const layers = model.layers.filter((l) => l.getClassName() === "Dropout");
  for (const layer of layers) drawDropoutNatively(tf, layer);
  const dropouts = layers as unknown as DropoutLayer[];
  for (const cell of cells(model)) cell.dropoutFunc = (x, rate) => tf.dropout(x, rate, undefined, next());
  return () => {
    for (const layer of dropouts) layer.seed = next();
  };
}

/** RNN cells keep their last dropout masks alive after a call; model.dispose() does not free them. */
export function releaseRnnMasks(tf: Tf, model: LayersModel): void {
  for (const cell of cells(model)) {
    if (cell.dropoutMask) tf.dispose(cell.dropoutMask);
    if (cell.recurrentDropoutMask) tf.dispose(cell.recurrentDropoutMask);
    cell.dropoutMask = null;
    cell.recurrentDropoutMask = null;
  }
}
