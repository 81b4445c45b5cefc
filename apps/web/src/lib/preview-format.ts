/**
 * The compact binary the app serves for browser preview training (training examples only):
 *   "SWPV" | u32 LE header length | header JSON (UTF-8) | zero padding to 4 bytes | arrays, each 4-byte aligned.
 * Pure, so the route handler, the Worker and tests share it.
 */
import type { InputScaling } from "@stepwise/core/browser";

export type PreviewArray = Uint8Array | Uint16Array | Uint32Array | Float32Array;
type DType = "uint8" | "uint16" | "uint32" | "float32";

export interface PreviewHeader {
  dataset: "mnist" | "imdb" | "csv";
  /** Number of training examples. */
  n: number;
  /** MNIST: [28, 28, 1]. IMDB: [] (reviews have varying lengths; the Worker encodes them). CSV: [encoded width]. */
  naturalShape: number[];
  /** IMDB only: vocabulary size the ids were built with (word j has id j + 2; 0 pads, 1 is out-of-vocabulary). */
  vocabularySize?: number;
  /** CSV only: the target's task; classification labels are class indices, regression labels standardized targets. */
  task?: "binary" | "multiclass" | "regression";
  /** CSV classification only: class names in label order. */
  classes?: string[];
  /** CSV regression only: mean and std of the training targets, to report errors in the target's unit. */
  targetScale?: { mean: number; std: number };
  /** CSV only: the file, and how a row was encoded (for messages about the model's input shape). */
  file?: string;
  encoding?: string;
  /** CSV only: the name of each encoded column (`column`, or `column=category` for one-hot), so step 7's dropped columns can be left out. */
  featureNames?: string[];
  /** MNIST in a guided project: step 4's pixel scaling, applied after ÷ 255 as the grader applies it (a table's rows come scaled). */
  scaling?: InputScaling;
}

export interface PreviewData {
  header: PreviewHeader;
  /**
   * MNIST: `pixels` (n × 784 bytes), `labels`. IMDB: `offsets` (n + 1), `ids`, `labels`.
   * CSV: `inputs` (n × width float32, encoded as the grader encodes them), `labels` (class indices, or float32 standardized targets).
   */
  arrays: Record<string, PreviewArray>;
}

const DTYPES: readonly DType[] = ["uint8", "uint16", "uint32", "float32"];
const MAGIC = [0x53, 0x57, 0x50, 0x56];
const align4 = (n: number) => (n + 3) & ~3;

function dtypeOf(a: PreviewArray): DType {
  return a instanceof Uint8Array ? "uint8" : a instanceof Uint16Array ? "uint16" : a instanceof Uint32Array ? "uint32" : "float32";
}

export function encodePreview(data: PreviewData): Uint8Array {
  const layout = Object.entries(data.arrays).map(([name, a]) => ({ name, dtype: dtypeOf(a), length: a.length, bytes: a.byteLength }));
  const header = new TextEncoder().encode(
    JSON.stringify({ ...data.header, arrays: layout.map(({ name, dtype, length }) => ({ name, dtype, length })) }),
  );
  let offset = align4(8 + header.length);
  const total = layout.reduce((sum, l) => align4(sum + l.bytes), offset);
  const out = new Uint8Array(total);
  out.set(MAGIC, 0);
  new DataView(out.buffer).setUint32(4, header.length, true);
  out.set(header, 8);
  for (const { name } of layout) {
    const a = data.arrays[name];
    if (!a) continue;
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), offset);
    offset = align4(offset + a.byteLength);
  }
  return out;
}

export function decodePreview(buffer: ArrayBuffer): PreviewData {
  const bytes = new Uint8Array(buffer);
  if (bytes.length < 8 || MAGIC.some((m, i) => bytes[i] !== m))
    throw new Error("Preview data must start with SWPV; got something else (an error page?).");
  const headerLength = new DataView(buffer).getUint32(4, true);
  if (8 + headerLength > bytes.length)
    throw new Error(`Preview data header claims ${headerLength} bytes, but only ${bytes.length - 8} follow.`);
  const raw = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as PreviewHeader & {
    arrays: Array<{ name: string; dtype: DType; length: number }>;
  };
  const { arrays: layout, ...header } = raw;
  let offset = align4(8 + headerLength);
  const arrays: Record<string, PreviewArray> = {};
  for (const { name, dtype, length } of layout) {
    if (!DTYPES.includes(dtype))
      throw new Error(`Preview array "${name}" has dtype ${String(dtype)}; expected one of ${DTYPES.join(", ")}.`);
    const size = dtype === "uint8" ? 1 : dtype === "uint16" ? 2 : 4;
    if (offset + length * size > bytes.length)
      throw new Error(`Preview array "${name}" needs ${length * size} bytes at ${offset}, but the data has ${bytes.length}.`);
    arrays[name] =
      dtype === "uint8"
        ? new Uint8Array(buffer, offset, length)
        : dtype === "uint16"
          ? new Uint16Array(buffer, offset, length)
          : dtype === "uint32"
            ? new Uint32Array(buffer, offset, length)
            : new Float32Array(buffer, offset, length);
    offset = align4(offset + length * size);
  }
  return { header, arrays };
}
