/**
 * Request bodies read while counting: a body is never buffered beyond its cap, whether or not the
 * client declared a Content-Length (a chunked request has none, and a declared one can lie).
 */

export interface CappedRead {
  ok: boolean;
  bytes: Uint8Array<ArrayBuffer>;
}

/**
 * Reads a body stream until `limit` bytes. `{ok: true}` holds the whole body; `{ok: false}` means
 * the stream held more than `limit` bytes, and holds the bytes read so far (at most `limit`), so a
 * caller that learns it may accept more can resume with `resume`.
 */
export class CappedReader {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array> | null;
  private readonly chunks: Uint8Array[] = [];
  private total = 0;
  private pending: Uint8Array | null = null;
  private done = false;

  constructor(body: ReadableStream<Uint8Array> | null) {
    this.reader = body?.getReader() ?? null;
    if (!this.reader) this.done = true;
  }

  /** Reads on until the body ends or holds more than `limit` bytes in all. */
  async readUpTo(limit: number): Promise<CappedRead> {
    if (this.pending) {
      const chunk = this.pending;
      this.pending = null;
      if (!this.take(chunk, limit)) return { ok: false, bytes: this.joined() };
    }
    while (!this.done && this.reader) {
      const { done, value } = await this.reader.read();
      if (done) {
        this.done = true;
        break;
      }
      if (!this.take(value, limit)) return { ok: false, bytes: this.joined() };
    }
    return { ok: true, bytes: this.joined() };
  }

  /** Stops reading: the rest of the body is discarded by the runtime, never buffered. */
  async cancel(): Promise<void> {
    this.done = true;
    this.pending = null;
    await this.reader?.cancel().catch(() => undefined);
  }

  private take(chunk: Uint8Array, limit: number): boolean {
    const room = limit - this.total;
    if (chunk.byteLength > room) {
      // The part that fits is kept (a caller may look at the first bytes); the rest waits, never
      // more than one chunk, in case the caller raises the limit.
      if (room > 0) this.push(chunk.subarray(0, room));
      this.pending = chunk.subarray(Math.max(0, room));
      return false;
    }
    this.push(chunk);
    return true;
  }

  private push(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.total += chunk.byteLength;
  }

  private joined(): Uint8Array<ArrayBuffer> {
    const out = new Uint8Array(this.total);
    let at = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, at);
      at += chunk.byteLength;
    }
    return out;
  }
}

/** Whether the declared length (if any) already exceeds `limit`: refused without reading a byte. */
export function declaredOver(req: Request, limit: number): boolean {
  const declared = Number(req.headers.get("content-length") ?? "0");
  return Number.isFinite(declared) && declared > limit;
}

/**
 * The whole body of `req` if it holds at most `limit` bytes, else null (the stream is cancelled at
 * the first chunk past the cap).
 */
export async function readBodyCapped(req: Request, limit: number): Promise<Uint8Array<ArrayBuffer> | null> {
  if (declaredOver(req, limit)) return null;
  const reader = new CappedReader(req.body);
  const read = await reader.readUpTo(limit);
  if (read.ok) return read.bytes;
  await reader.cancel();
  return null;
}
