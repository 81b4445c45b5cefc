import { wasmResponse } from "~/server/wasm-files";

export async function GET(_req: Request, { params }: { params: Promise<{ file: string }> }): Promise<Response> {
  return wasmResponse((await params).file);
}
