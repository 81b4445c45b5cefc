import { createHash, randomUUID } from "node:crypto";
import { closeSync, fstatSync, mkdirSync, openSync, readSync, renameSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/**
 * A small binary container for prepared arrays:
 *   "STEPWCHE" | u32 LE format version | u32 LE header length | header JSON | arrays (8-byte aligned)
 * The header lists each array (name, dtype, length), free-form `meta`, and a SHA-1 of the
 * payload. Readers verify all of it and treat any mismatch as a miss, so a truncated or
 * corrupted file is rebuilt rather than trusted.
 */
const MAGIC = "STEPWCHE";
const FORMAT_VERSION = 1;
const PREAMBLE = 16;
const MAX_HEADER_BYTES = 64 * 1024 * 1024;

export type CacheArray = Uint8Array | Uint16Array | Uint32Array | Int32Array | Float32Array;
type DType = "uint8" | "uint16" | "uint32" | "int32" | "float32";

const CONSTRUCTORS = {
  uint8: Uint8Array,
  uint16: Uint16Array,
  uint32: Uint32Array,
  int32: Int32Array,
  float32: Float32Array,
} as const;

function dtypeOf(array: CacheArray): DType {
  if (array instanceof Uint8Array) return "uint8";
  if (array instanceof Uint16Array) return "uint16";
  if (array instanceof Uint32Array) return "uint32";
  if (array instanceof Int32Array) return "int32";
  return "float32";
}

interface Header {
  meta: unknown;
  arrays: { name: string; dtype: DType; length: number }[];
  payloadBytes: number;
  sha1: string;
}

export interface CacheEntry {
  meta: unknown;
  arrays: Record<string, CacheArray>;
}

/** `os.tmpdir()/stepwise-cache`; apps pass their own `<repo>/data/cache`. */
export function defaultCacheDir(): string {
  return path.join(os.tmpdir(), "stepwise-cache");
}

const align8 = (n: number): number => Math.ceil(n / 8) * 8;

/**
 * Writes atomically: a uniquely named temp file in the same directory, then rename, so a
 * concurrent grader process sees either no file or a whole one. Returns false (and leaves no
 * temp file) when the directory is not writable; the cache is an optimization, not a requirement.
 */
export function writeCacheFile(file: string, entry: CacheEntry): boolean {
  const names = Object.keys(entry.arrays);
  let payloadBytes = 0;
  const layout = names.map((name) => {
    const array = entry.arrays[name] as CacheArray;
    const offset = payloadBytes;
    payloadBytes = align8(payloadBytes + array.byteLength);
    return { name, array, offset };
  });
  const payload = Buffer.alloc(payloadBytes);
  for (const { array, offset } of layout) {
    payload.set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength), offset);
  }
  const header: Header = {
    meta: entry.meta,
    arrays: layout.map(({ name, array }) => ({ name, dtype: dtypeOf(array), length: array.length })),
    payloadBytes,
    sha1: createHash("sha1").update(payload).digest("hex"),
  };
  const headerJson = Buffer.from(JSON.stringify(header), "utf8");
  const preamble = Buffer.alloc(PREAMBLE);
  preamble.write(MAGIC, 0, "latin1");
  preamble.writeUInt32LE(FORMAT_VERSION, 8);
  preamble.writeUInt32LE(headerJson.length, 12);
  const padding = Buffer.alloc(align8(PREAMBLE + headerJson.length) - PREAMBLE - headerJson.length);
  const tmp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(tmp, Buffer.concat([preamble, headerJson, padding, payload]));
    renameSync(tmp, file);
    return true;
  } catch {
    rmSync(tmp, { force: true });
    return false;
  }
}

function parseHeader(preamble: Uint8Array, readHeader: (length: number) => Uint8Array | undefined): Header | undefined {
  if (preamble.length < PREAMBLE) return undefined;
  const buf = Buffer.from(preamble.buffer, preamble.byteOffset, preamble.byteLength);
  if (buf.toString("latin1", 0, 8) !== MAGIC || buf.readUInt32LE(8) !== FORMAT_VERSION) return undefined;
  const headerLength = buf.readUInt32LE(12);
  // A corrupt length must not make us allocate gigabytes; real headers are well under this.
  if (headerLength > MAX_HEADER_BYTES) return undefined;
  const headerBytes = readHeader(headerLength);
  if (!headerBytes) return undefined;
  try {
    const header = JSON.parse(Buffer.from(headerBytes).toString("utf8")) as Header;
    if (!Array.isArray(header.arrays) || typeof header.sha1 !== "string" || typeof header.payloadBytes !== "number") return undefined;
    return header;
  } catch {
    return undefined;
  }
}

/** The whole entry, or undefined when the file is missing, truncated, of another version or corrupt. */
export function readCacheFile(file: string): CacheEntry | undefined {
  let bytes: Buffer;
  try {
    bytes = readWhole(file);
  } catch {
    return undefined;
  }
  let headerLength = 0;
  const header = parseHeader(bytes.subarray(0, PREAMBLE), (length) => {
    headerLength = length;
    return PREAMBLE + length <= bytes.length ? bytes.subarray(PREAMBLE, PREAMBLE + length) : undefined;
  });
  if (!header) return undefined;
  const payloadStart = align8(PREAMBLE + headerLength);
  if (bytes.length !== payloadStart + header.payloadBytes) return undefined;
  const payload = bytes.subarray(payloadStart);
  if (createHash("sha1").update(payload).digest("hex") !== header.sha1) return undefined;
  const arrays: Record<string, CacheArray> = {};
  let offset = 0;
  for (const { name, dtype, length } of header.arrays) {
    const Ctor = CONSTRUCTORS[dtype] as (typeof CONSTRUCTORS)[DType] | undefined;
    if (!Ctor) return undefined;
    const byteLength = length * Ctor.BYTES_PER_ELEMENT;
    if (offset + byteLength > payload.length) return undefined;
    // Views, not copies: the file sits at offset 0 of its own buffer and every array starts on an
    // 8-byte boundary. Each read makes a new buffer, so callers never share arrays.
    const start = payload.byteOffset + offset;
    arrays[name] =
      start % Ctor.BYTES_PER_ELEMENT === 0
        ? new Ctor(payload.buffer as ArrayBuffer, start, length)
        : new Ctor(new Uint8Array(payload.subarray(offset, offset + byteLength)).buffer);
    offset = align8(offset + byteLength);
  }
  return { meta: header.meta, arrays };
}

/**
 * The whole file in a buffer of its own at byte offset 0 (`readFileSync` may hand back a slice of
 * a shared pool), so typed arrays can view the payload in place. Not zero-filled first: every byte
 * is overwritten by the read, and a short read throws.
 */
function readWhole(file: string): Buffer {
  const fd = openSync(file, "r");
  try {
    const size = fstatSync(fd).size;
    const bytes = Buffer.allocUnsafeSlow(size);
    let read = 0;
    while (read < size) {
      const n = readSync(fd, bytes, read, size - read, read);
      if (n === 0) throw new Error(`${file} shrank while being read`);
      read += n;
    }
    return bytes;
  } finally {
    closeSync(fd);
  }
}

/** Only the `meta` of an entry, reading the header and not the arrays (no checksum check). */
export function readCacheMeta(file: string): unknown {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch {
    return undefined;
  }
  try {
    const preamble = Buffer.alloc(PREAMBLE);
    readSync(fd, preamble, 0, PREAMBLE, 0);
    return parseHeader(preamble, (length) => {
      const header = Buffer.alloc(length);
      return readSync(fd, header, 0, length, PREAMBLE) === length ? header : undefined;
    })?.meta;
  } finally {
    closeSync(fd);
  }
}
