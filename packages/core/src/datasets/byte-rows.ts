import type { ExampleSet } from "./types";

/**
 * How a set's inputs come from bytes: row i of its inputs is `table[b]` for each byte b of row i of
 * `bytes` (rows of `rowSize` bytes). A batch builder that knows this can gather rows natively
 * (`gatherByteRows`) and get the floats `gatherInputs` writes, to the bit, since both read one table.
 */
export interface ByteRows {
  readonly bytes: Uint8Array;
  readonly rowSize: number;
  /** The float each byte value stands for, 256 of them. */
  readonly table: Float32Array;
}

/**
 * Keyed by the set object itself, not a property of it: a wrapper that spreads a set and changes
 * `gatherInputs` (scaling, standardizing, shuffling) is a new object and so does not claim the
 * wrapped set's bytes.
 */
const BYTE_ROWS = new WeakMap<ExampleSet, ByteRows>();

/** Declares that `set`'s inputs are `rows` read through the table; returns `set`. */
export function withByteRows<T extends ExampleSet>(set: T, rows: ByteRows): T {
  BYTE_ROWS.set(set, rows);
  return set;
}

/** The bytes `set`'s inputs are read from, when its factory declared them. */
export function byteRowsOf(set: ExampleSet): ByteRows | undefined {
  return BYTE_ROWS.get(set);
}
