/**
 * The grader process. Run it so that signals reach it, compiled: `node --enable-source-maps
 * apps/grader/dist/main.js` after `pnpm --filter @stepwise/grader build` (`pnpm grader` builds and
 * starts it from a terminal; pnpm does not pass SIGTERM on). `tsx watch src/main.ts` runs the sources.
 */
import type { Server } from "node:http";
import { hostname } from "node:os";
import { migrate, openDb } from "@stepwise/db";
import { staleBuild } from "./build-info";
import { useCacheDir } from "./cache-dir";
import { startCalibration, type Calibrator } from "./calibration";
import { configFromEnv } from "./config";
import { DbHealth } from "./db-health";
import { COMPILED, DIST_DIR } from "./entry";
import { graderJail } from "./jail";
import { embeddedDefaults } from "./paths";
import { GraderMetrics, serveMetrics } from "./metrics";
import { startGrader, type GraderHandle } from "./worker";

// A build older than the sources would grade with code nobody reads any more: refuse, say how to fix.
const stale = COMPILED ? staleBuild(DIST_DIR) : null;
if (stale) {
  console.error(`[grader] apps/grader/dist is stale: ${stale}. Run \`pnpm --filter @stepwise/grader build\` (scripts/setup.sh does).`);
  process.exit(1);
}

const config = configFromEnv(process.env, { ...embeddedDefaults(), workerId: `${hostname()}:${process.pid}` });
const log = (line: string) => console.log(`[grader ${config.workerId}] ${line}`);
// GRADER_SANDBOX=required: no grader starts where training children cannot be sandboxed.
const jail = graderJail(config);
(jail.status.active ? console.log : console.warn)(
  `[grader ${config.workerId}] ${jail.status.active ? "" : "WARNING: "}${jail.status.detail}`,
);

let grader: GraderHandle | null = null;
let calibration: Calibrator | null = null;
let http: Server | null = null;
// First signal: claim nothing more, let running jobs finish for GRADER_DRAIN_MS, hand the rest back
// uncharged, exit 0. Second signal: hand back at once. Before the first claim there is nothing to drain.
let signals = 0;
const shutdown = (signal: string) => {
  signals += 1;
  if (!grader) {
    log(`${signal} before the first claim: exiting`);
    process.exit(0);
  }
  if (signals > 1) {
    log(`${signal} again: handing running jobs back now`);
    grader.handBack();
    return;
  }
  log(`${signal}: draining ${grader.running} running job(s) for up to ${config.drainMs} ms`);
  http?.close();
  void Promise.all([grader.stop(config.drainMs), calibration?.stop().catch(() => undefined)])
    .then(() => db.close())
    .then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`[grader ${config.workerId}] shutdown failed: ${String(error)}`);
        process.exit(1);
      },
    );
};
process.on("SIGTERM", () => shutdown("SIGTERM"));
process.on("SIGINT", () => shutdown("SIGINT"));

useCacheDir(config.cacheDir, (line) => console.warn(`[grader ${config.workerId}] ${line}`));
const health = new DbHealth(Date.now, log);
// A connection the server closed is only news: the pool opens another for the next statement, and
// whether the database answers is decided by statements (DbHealth), not by one idle connection.
const db = await openDb(config.databaseUrl, {
  onConnectionError: (error) => log(`a database connection was closed (${error.message}); the next statement opens another`),
});
await migrate(db);
// Health and metrics answer before the first claim, so a supervisor never sees a busy grader as down.
const metrics = new GraderMetrics();
metrics.sandbox = jail.status;
http =
  config.httpPort === undefined
    ? null
    : await serveMetrics({
        port: config.httpPort,
        db,
        metrics,
        health,
        running: () => grader?.running ?? 0,
        ready: () => grader?.ready ?? false,
        workerId: config.workerId,
      });
// Measured before the warm training children start, which would compete for the cores it times.
if (config.calibrate === "on") calibration = await startCalibration(config, { db, jail });
else log("calibration off (GRADER_CALIBRATE=off): this grader publishes no training speed");
grader = startGrader(config, {
  db,
  metrics,
  health,
  log,
  gflops: () => calibration?.last?.gflops ?? null,
  onTrained: (run) => void calibration?.observe(run),
});
if (http) {
  const address = http.address();
  log(`health and metrics on http://127.0.0.1:${typeof address === "object" && address ? address.port : "?"}/metrics`);
}
