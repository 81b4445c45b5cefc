import { ValidationError } from "../contracts/errors";

/**
 * IDX is the big-endian format MNIST ships in: a 4-byte magic (0x0000, type code 0x08 = uint8,
 * number of dimensions), one uint32 per dimension, then the raw bytes.
 * Magic 2051 = uint8 with 3 dims (images), 2049 = uint8 with 1 dim (labels).
 */
export const IDX_IMAGES_MAGIC = 2051;
export const IDX_LABELS_MAGIC = 2049;

export interface IdxExpectation {
  /** File name used in error messages. */
  file: string;
  magic: typeof IDX_IMAGES_MAGIC | typeof IDX_LABELS_MAGIC;
  /** Expected item count (first dimension); omit to accept any. */
  count?: number;
  /** Expected trailing dimensions, e.g. [28, 28] for images, [] for labels. */
  itemShape: readonly number[];
}

export interface IdxArray {
  /** First dimension. */
  count: number;
  itemShape: number[];
  /** The payload, a view into the input buffer (no copy). */
  data: Uint8Array;
}

/** Parses and validates an IDX uint8 file; every mismatch names the file, the expected and the actual value. */
export function parseIdx(bytes: Uint8Array, expect: IdxExpectation): IdxArray {
  const { file } = expect;
  const dims = expect.itemShape.length + 1;
  const headerBytes = 4 + 4 * dims;
  if (bytes.length < headerBytes) {
    throw new ValidationError(`${file}: expected an IDX header of ${headerBytes} bytes, got a file of ${bytes.length} bytes`, file);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  if (magic !== expect.magic) {
    throw new ValidationError(`${file}: expected IDX magic number ${expect.magic}, got ${magic}`, file);
  }
  const count = view.getUint32(4, false);
  if (expect.count !== undefined && count !== expect.count) {
    throw new ValidationError(`${file}: expected ${expect.count} items, got ${count}`, file);
  }
  const itemShape: number[] = [];
  for (let d = 1; d < dims; d++) itemShape.push(view.getUint32(4 + 4 * d, false));
  if (itemShape.some((size, i) => size !== expect.itemShape[i])) {
    throw new ValidationError(`${file}: expected item shape [${expect.itemShape.join(", ")}], got [${itemShape.join(", ")}]`, file);
  }
  const itemSize = itemShape.reduce((a, b) => a * b, 1);
  const expectedLength = headerBytes + count * itemSize;
  if (bytes.length !== expectedLength) {
    throw new ValidationError(
      `${file}: expected ${expectedLength} bytes (${headerBytes}-byte header + ${count} × ${itemSize}), got ${bytes.length}`,
      file,
    );
  }
  return { count, itemShape, data: bytes.subarray(headerBytes) };
}
