import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { request } from "node:http";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const MiB = 1024 * 1024;
const CAP = 64 * 1024;
const CHUNK = 64 * 1024;

/** Peak resident memory of a process so far (VmHWM), bytes. */
function peakRss(pid: number): number {
  const kib = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
  if (kib === undefined) throw new Error(`no VmHWM for process ${pid}`);
  return Number(kib) * 1024;
}

let server: ChildProcess;
let port = 0;
beforeAll(async () => {
  const script = fileURLToPath(new URL("./fixtures/listening-server.ts", import.meta.url));
  server = spawn(process.execPath, ["--import", "tsx", script, String(CAP)], {
    stdio: ["ignore", "pipe", "inherit"],
    cwd: fileURLToPath(new URL("..", import.meta.url)),
  });
  port = await new Promise<number>((resolve, reject) => {
    server.stdout?.once("data", (line: Buffer) => resolve((JSON.parse(line.toString()) as { port: number }).port));
    server.once("exit", (code) => reject(new Error(`the test server exited with ${String(code)} before listening`)));
  });
});
afterAll(() => {
  server.kill("SIGTERM");
});

/**
 * Sends an anonymous chunked (no Content-Length) sign-in of up to `total` bytes over a socket, until
 * the server answers or closes; resolves with the status (null: closed without one) and the bytes sent.
 */
function chunkedSignIn(total: number): Promise<{ status: number | null; sent: number }> {
  return new Promise((resolve) => {
    let sent = 0;
    let done = false;
    const finish = (status: number | null) => {
      if (done) return;
      done = true;
      req.destroy();
      resolve({ status, sent });
    };
    const req = request({
      host: "127.0.0.1",
      port,
      method: "POST",
      path: "/api/trpc/auth.signIn",
      headers: { "content-type": "application/json", "transfer-encoding": "chunked" },
    });
    req.on("response", (res) => finish(res.statusCode ?? null));
    req.on("error", () => finish(null));
    const filler = Buffer.alloc(CHUNK, 0x61);
    const pump = () => {
      while (!done && sent < total) {
        sent += CHUNK;
        if (!req.write(sent === CHUNK ? Buffer.concat([Buffer.from('{"json":{"email":"a@b.c","password":"'), filler]) : filler))
          return void req.once("drain", pump);
      }
      if (!done) req.end();
    };
    pump();
  });
}

describe("a listening server refuses an anonymous chunked 200 MiB body", () => {
  it("answers 413 after reading about the cap, and its memory grows by less than 64 MiB", async () => {
    const pid = server.pid ?? 0;
    const before = peakRss(pid);
    const { status, sent } = await chunkedSignIn(200 * MiB);
    expect(status).toBe(413);
    // Refused long before the end: what was sent is the cap plus what sockets buffer on the way.
    expect(sent).toBeLessThan(32 * MiB);
    expect(peakRss(pid) - before).toBeLessThan(64 * MiB);
  });
});
