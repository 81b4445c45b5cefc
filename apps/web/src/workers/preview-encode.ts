import {
  type ExampleSet,
  type InputScaling,
  labelEncoding,
  prepareImageInputs,
  selectFeatures,
  writeMultiHot,
  writeSequence,
} from "@stepwise/core/browser";
import type { FeatureSelection } from "@stepwise/core/contracts";
import type { PreviewData } from "~/lib/preview-format";

/** Tensors-to-be for preview training: row-major inputs and labels, shaped for the student's model. */
export interface EncodedSet {
  n: number;
  inputs: Float32Array;
  /** Per-example input shape the model declares (without the batch dimension). */
  inputShape: number[];
  labels: Float32Array;
  labelShape: number[];
}

/** Step 4's pixel scaling by core's own function, as the grader prepares its images (statistics of these training images). */
function scaleImages(inputs: Float32Array, n: number, scaling: InputScaling): void {
  const size = inputs.length / Math.max(1, n);
  const set: ExampleSet = {
    n,
    inputSize: size,
    naturalShape: [28, 28, 1],
    gatherInputs(indices, out) {
      for (let i = 0; i < indices.length; i++) {
        const row = indices[i] ?? 0;
        out.set(inputs.subarray(row * size, (row + 1) * size), i * size);
      }
    },
  };
  const { train } = prepareImageInputs({ train: set, testInputs: set }, scaling);
  if (train === set) return;
  const scaled = new Float32Array(inputs.length);
  train.gatherInputs(
    Int32Array.from({ length: n }, (_, i) => i),
    scaled,
  );
  inputs.set(scaled);
}

function shapeText(shape: readonly (number | null)[]): string {
  return `[${shape.map((s) => (s === null ? "None" : String(s))).join(", ")}]`;
}

/**
 * Encodes the served training subset the way the grader would for this model: MNIST pixels scaled to
 * [0, 1] in the model's input shape; IMDB reviews as multi-hot rows over the top V words when the input
 * is [V], or as the first L word ids (end-padded, rarer words → out-of-vocabulary) when the input is [L]
 * and the first layer is an Embedding; CSV rows as served (already encoded by the grader's encoder) into
 * an input of exactly their width. Labels: one-hot for categorical cross-entropy, else class ids (CSV
 * regression: the standardized targets as served).
 */
export function encodeForModel(
  data: PreviewData,
  model: { inputShape: readonly (number | null)[]; firstLayer: string; embeddingInputDim?: number; loss: string; outputUnits: number },
): EncodedSet {
  const shape = model.inputShape.slice(1);
  if (shape.some((s) => s === null))
    throw new Error(`The model's input shape ${shapeText(model.inputShape)} has an unknown dimension after the batch; give every size.`);
  const inputShape = shape as number[];
  const size = inputShape.reduce((a, b) => a * b, 1);
  const { n } = data.header;
  const labels = data.arrays.labels;
  if (!labels) throw new Error("The preview data has no labels array.");
  const inputs = new Float32Array(n * size);

  if (data.header.dataset === "csv") {
    const rows = data.arrays.inputs;
    if (!(rows instanceof Float32Array)) throw new Error("The preview data has no float32 inputs array.");
    const width = data.header.naturalShape[0] ?? 0;
    if (inputShape.length !== 1 || size !== width) {
      const file = data.header.file ?? "this table";
      throw new Error(
        `The model's input shape ${shapeText(model.inputShape)} fits no encoding of ${file}; accepted: [${width}]${data.header.encoding ? ` — ${data.header.encoding}` : ""}.`,
      );
    }
    inputs.set(rows.subarray(0, n * width));
  } else if (data.header.dataset === "mnist") {
    const pixels = data.arrays.pixels;
    if (!pixels) throw new Error("The preview data has no pixels array.");
    if (size !== 784)
      throw new Error(
        `MNIST images have 784 pixels (28 × 28 × 1), but the model's input ${shapeText(model.inputShape)} holds ${size} values.`,
      );
    for (let i = 0; i < pixels.length; i++) inputs[i] = (pixels[i] ?? 0) / 255;
    if (data.header.scaling) scaleImages(inputs, n, data.header.scaling);
  } else {
    const { offsets, ids } = data.arrays;
    if (!offsets || !ids) throw new Error("The preview data has no offsets or ids arrays.");
    if (inputShape.length !== 1)
      throw new Error(`IMDB models take [V] multi-hot rows or [L] word sequences, got input ${shapeText(model.inputShape)}.`);
    const width = size;
    const sequence = model.firstLayer === "Embedding";
    // Sequence ids beyond the Embedding's table would be out of range: they become out-of-vocabulary.
    const maxId = sequence ? (model.embeddingInputDim ?? width) : 0;
    // Encoded by core's own row writers, as the grader's IMDB sets encode them.
    for (let r = 0; r < n; r++) {
      const start = offsets[r] ?? 0;
      const end = offsets[r + 1] ?? start;
      if (sequence) writeSequence(ids, start, end, inputs, r * width, width, maxId);
      else writeMultiHot(ids, start, end, inputs, r * width, width);
    }
  }

  if (model.loss === "categoricalCrossentropy") {
    const classes = model.outputUnits;
    const classIds = Int32Array.from({ length: n }, (_, i) => labels[i] ?? 0);
    for (const label of classIds) {
      if (label >= classes)
        throw new Error(`Label ${label} needs at least ${label + 1} output units for one-hot targets; the model has ${classes}.`);
    }
    // One-hot rows as the grader's harness writes them.
    const oneHot = new Float32Array(n * classes);
    const all = Int32Array.from({ length: n }, (_, i) => i);
    labelEncoding("categoricalCrossentropy", { kind: "multiclass", numClasses: classes }, classes).fill(classIds, all, oneHot);
    return { n, inputs, inputShape, labels: oneHot, labelShape: [classes] };
  }
  return { n, inputs, inputShape, labels: Float32Array.from(labels), labelShape: [1] };
}

/**
 * A table's served rows without the columns the student's settings drop (`training.features`, step
 * 7), through the same core function the grader applies, so the preview trains on the table the
 * grader will. Other datasets, and settings without a drop list, pass through. A bad column name
 * throws core's error naming it.
 */
export function withFeatureSelection(data: PreviewData, selection: FeatureSelection | undefined): PreviewData {
  if (!selection || selection.drop.length === 0 || data.header.dataset !== "csv") return data;
  const rows = data.arrays.inputs;
  const names = data.header.featureNames;
  if (!(rows instanceof Float32Array) || !names)
    throw new Error("The preview data does not name its columns; reload the page to fetch it again.");
  const width = data.header.naturalShape[0] ?? 0;
  const file = data.header.file ?? "this table";
  const selected = selectFeatures({ inputs: rows.subarray(0, data.header.n * width), width, featureNames: names }, selection, { file });
  const encoding = data.header.encoding
    ? `${data.header.encoding}, without ${selection.drop.map((d) => `\`${d}\``).join(", ")}`
    : undefined;
  return {
    header: { ...data.header, naturalShape: [selected.width], featureNames: [...selected.featureNames], ...(encoding ? { encoding } : {}) },
    arrays: { ...data.arrays, inputs: selected.inputs },
  };
}
