import { hostname } from "node:os";
import { mkdirSync } from "node:fs";
import { migrate, openDb } from "@stepwise/db";
import { configFromEnv } from "./config";
import { embeddedDefaults } from "./paths";
import { startGrader } from "./worker";

const config = configFromEnv(process.env, { ...embeddedDefaults(), workerId: `${hostname()}:${process.pid}` });
mkdirSync(config.cacheDir, { recursive: true });
const db = await openDb(config.databaseUrl);
await migrate(db);
const grader = startGrader(config, { db });

let stopping = false;
const shutdown = (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`[grader ${config.workerId}] ${signal}: draining ${grader.running} running job(s)`);
  void grader.stop().then(() => db.close()).then(() => process.exit(0));
};
process.on("SIGTERM", () => shutdown("SIGTERM"));
process.on("SIGINT", () => shutdown("SIGINT"));
