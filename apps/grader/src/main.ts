import { hostname } from "node:os";
import { mkdirSync } from "node:fs";
import { migrate, openDb } from "@stepwise/db";
import { startCalibration } from "./calibration";
import { configFromEnv } from "./config";
import { graderJail } from "./jail";
import { embeddedDefaults } from "./paths";
import { GraderMetrics, serveMetrics } from "./metrics";
import { startGrader } from "./worker";

const config = configFromEnv(process.env, { ...embeddedDefaults(), workerId: `${hostname()}:${process.pid}` });
// GRADER_SANDBOX=required: no grader starts where training children cannot be sandboxed.
const jail = graderJail(config);
(jail.status.active ? console.log : console.warn)(`[grader ${config.workerId}] ${jail.status.active ? "" : "WARNING: "}${jail.status.detail}`);
mkdirSync(config.cacheDir, { recursive: true });
const db = await openDb(config.databaseUrl);
await migrate(db);
// Health and metrics answer before the first claim, so a supervisor never sees a busy grader as down.
const metrics = new GraderMetrics();
metrics.sandbox = jail.status;
let running = () => 0;
const http =
  config.httpPort === undefined
    ? null
    : await serveMetrics({ port: config.httpPort, db, metrics, running: () => running(), workerId: config.workerId });
// Measured before the warm training children start, which would compete for the cores it times.
const calibration = await startCalibration(config, { db, jail });
const grader = startGrader(config, { db, metrics });
running = () => grader.running;
if (http) {
  const address = http.address();
  console.log(`[grader ${config.workerId}] health and metrics on http://127.0.0.1:${typeof address === "object" && address ? address.port : "?"}/metrics`);
}

let stopping = false;
const shutdown = (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`[grader ${config.workerId}] ${signal}: draining ${grader.running} running job(s)`);
  http?.close();
  void Promise.all([grader.stop(), calibration.stop().catch(() => undefined)])
    .then(() => db.close())
    .then(() => process.exit(0));
};
process.on("SIGTERM", () => shutdown("SIGTERM"));
process.on("SIGINT", () => shutdown("SIGINT"));
