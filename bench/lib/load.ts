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

/**
 * Closed-loop load: one virtual user per target, each sending its next request when the previous
 * answer has been read, for `seconds` (bounded by `maxRequests` in total). Latencies in ms.
 */
export async function closedLoop(baseUrl: string, targets: LoadTarget[], seconds: number, maxRequests: number): Promise<LoadResult> {
  const url = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: targets.length });
  const latencies: number[] = [];
  let errors = 0;
  let sent = 0;
  let firstError: string | undefined;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const once = (target: LoadTarget) =>
    new Promise<void>((resolve) => {
      const t0 = performance.now();
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
  await Promise.all(
    targets.map(async (target) => {
      while (performance.now() < deadline && sent < maxRequests) {
        sent++;
        await once(target);
      }
    }),
  );
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
}
