import { Agent, request } from "node:http";
import { percentile } from "./stats";

export interface LoadTarget {
  path: string;
  cookie: string;
}

export interface LoadResult {
  requests: number;
  errors: number;
  firstError?: string;
  seconds: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Sends requests over one keep-alive agent and records latencies and errors. */
function recorder(baseUrl: string, sockets: number) {
  const url = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: sockets });
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const started = performance.now();
  /** `t0` is when the request was due: an open loop counts queueing behind a slow server too. */
  const once = (target: LoadTarget, t0 = performance.now()) =>
    new Promise<void>((resolve) => {
      const req = request({ host: url.hostname, port: url.port, path: target.path, agent, headers: { cookie: target.cookie } }, (res) => {
        let body = "";
        res.on("data", (chunk: Buffer) => (body += chunk.toString()));
        res.on("end", () => {
          latencies.push(performance.now() - t0);
          if (res.statusCode !== 200) {
            errors++;
            firstError ??= `HTTP ${res.statusCode ?? "?"}: ${body.slice(0, 200)}`;
          }
          resolve();
        });
      });
      req.on("error", (error) => {
        errors++;
        firstError ??= error.message;
        resolve();
      });
      req.end();
    });
  const finish = (): LoadResult => {
    const elapsed = (performance.now() - started) / 1000;
    agent.destroy();
    const sorted = latencies.sort((a, b) => a - b);
    return {
      requests: sorted.length,
      errors,
      ...(firstError ? { firstError } : {}),
      seconds: elapsed,
      p50: percentile(sorted, 50),
      p95: percentile(sorted, 95),
      p99: percentile(sorted, 99),
      max: sorted.at(-1) ?? Number.NaN,
    };
  };
  return { once, finish, started };
}

/**
 * Closed-loop load: one virtual user per target, each sending its next request when the previous
 * answer has been read, for `seconds` (bounded by `maxRequests` in total). Measures capacity: with
 * no think time, latency is concurrency ÷ throughput. Latencies in ms.
 */
export async function closedLoop(baseUrl: string, targets: LoadTarget[], seconds: number, maxRequests: number): Promise<LoadResult> {
  const { once, finish, started } = recorder(baseUrl, targets.length);
  const deadline = started + seconds * 1000;
  let sent = 0;
  await Promise.all(
    targets.map(async (target) => {
      while (performance.now() < deadline && sent < maxRequests) {
        sent++;
        await once(target);
      }
    }),
  );
  return finish();
}

/**
 * Open-loop load: every target (a student's status page) polls once per `intervalMs`, phases spread
 * evenly, whatever the server's speed. Latency counts from when a request was due, so a server that
 * falls behind shows it (no coordinated omission). Latencies in ms.
 */
export async function openLoop(baseUrl: string, targets: LoadTarget[], seconds: number, intervalMs: number): Promise<LoadResult> {
  const { once, finish, started } = recorder(baseUrl, targets.length);
  const deadline = started + seconds * 1000;
  const sleepUntil = (t: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, t - performance.now())));
  await Promise.all(
    targets.map(async (target, i) => {
      const inFlight: Promise<void>[] = [];
      for (let due = started + (intervalMs * i) / targets.length; due < deadline; due += intervalMs) {
        await sleepUntil(due);
        inFlight.push(once(target, due));
      }
      await Promise.all(inFlight);
    }),
  );
  return finish();
}
