/**
 * The heartbeat thread (see `ThreadHeartbeats`): renews the leases of the jobs the grader says it
 * runs, on a database connection of its own, whatever the grader's main thread is busy with.
 */
import { parentPort, workerData } from "node:worker_threads";
import { openDb, type Db } from "@stepwise/db";
import { LeaseKeeper, LeaseSettings, type FromThread, type ToThread } from "./heartbeat";

const port = parentPort;
if (!port) throw new Error("heartbeat-thread.ts runs as a worker thread of the grader");
const settings = LeaseSettings.parse((workerData as { settings: unknown }).settings);
const post = (message: FromThread) => port.postMessage(message);
const failure = (error: unknown) => ({
  ok: false as const,
  connection: true,
  message: error instanceof Error ? error.message : String(error),
});

let stopped = false;
let lastAlive = Date.now();
let stalledSaid = false;
const watched: string[] = [];
let keeper: LeaseKeeper | null = null;

async function open(): Promise<Db | undefined> {
  // The grader opened the database a moment ago, but it may be restarting right now: keep trying.
  while (!stopped) {
    try {
      // A closed idle connection is replaced at the next renewal; only failed renewals are reported.
      return await openDb(settings.databaseUrl, { poolSize: 2, onConnectionError: () => undefined });
    } catch (error) {
      post({ type: "report", report: failure(error) });
      await new Promise((resolve) => setTimeout(resolve, settings.heartbeatMs));
    }
  }
  return undefined;
}

port.on("message", (message: ToThread) => {
  switch (message.type) {
    case "watch":
      if (keeper) keeper.watch(message.jobId);
      else watched.push(message.jobId);
      break;
    case "unwatch":
      keeper?.unwatch(message.jobId);
      if (watched.includes(message.jobId)) watched.splice(watched.indexOf(message.jobId), 1);
      break;
    case "alive":
      lastAlive = Date.now();
      stalledSaid = false;
      break;
    case "stop":
      stopped = true;
      if (timer) clearInterval(timer);
      // Nothing else keeps the thread alive once the connection and the port are closed.
      void (db ? db.close() : Promise.resolve()).finally(() => port.close());
      break;
  }
});

let timer: NodeJS.Timeout | undefined;
let db: Db | undefined;
const opened = await open();
if (stopped) await opened?.close();
else if (opened) {
  db = opened;
  const keeping = new LeaseKeeper(
    opened,
    settings,
    Date.now,
    (jobId) => post({ type: "lost", jobId }),
    (report) => post({ type: "report", report }),
  );
  for (const jobId of watched.splice(0)) keeping.watch(jobId);
  keeper = keeping;
  post({ type: "ready" });
  timer = setInterval(() => {
    if (Date.now() - lastAlive > settings.stallMs) {
      if (!stalledSaid) post({ type: "stalled" });
      stalledSaid = true;
      return;
    }
    void keeping.round();
  }, settings.heartbeatMs);
}
