/**
 * `pnpm tsx bench/first-job.ts [--jobs 4] [--runs 1]`
 * A fresh grader's first job against the ones after it: reference MNIST step-5 submissions are
 * queued before the grader process starts, and the grader's own log gives each job's claim-to-verdict
 * time. Also reports how long the process took to say it is ready (`/healthz` "ready": true).
 * A measurement, not a test: the figures go into the issue report and the README.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { SubmissionPayload } from "@stepwise/core/contracts";
import { progressSince } from "@stepwise/db";
import { solutions } from "@stepwise/exercises/solutions";
import { buildGrader, GRADER_COMMAND } from "./lib/child";
import { courseWithAssignment, enrolledStudent, freePort, freshDb, startService, submit, waitForVerdict } from "./lib/platform";

const { values } = parseArgs({ options: { jobs: { type: "string", default: "4" }, runs: { type: "string", default: "1" } } });
const jobs = Number(values.jobs);
const runs = Number(values.runs);
const repoDir = resolve(import.meta.dirname, "..");
const payload = solutions["mnist-beat-baseline"]?.reference as SubmissionPayload;
buildGrader(repoDir);

async function readyAfter(port: number, started: number, deadline: number): Promise<number | null> {
  while (Date.now() < deadline) {
    try {
      const body = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as { ready?: boolean };
      if (body.ready !== false) return Date.now() - started;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return null;
}

for (let run = 1; run <= runs; run++) {
  const dir = mkdtempSync(join(tmpdir(), "stepwise-first-job-"));
  const { db, url } = await freshDb(dir);
  const now = Date.now();
  const { course, assignment } = await courseWithAssignment(db, "mnist-beat-baseline", now);
  const queued = [];
  for (let i = 0; i < jobs; i++) {
    const student = await enrolledStudent(db, course.id, i, now);
    queued.push(await submit(db, { assignmentId: assignment.id, userId: student.id }, payload));
  }
  const port = await freePort();
  const started = Date.now();
  const grader = startService(process.execPath, GRADER_COMMAND, repoDir, {
    DATABASE_URL: url,
    GRADER_CONCURRENCY: "1",
    GRADER_POLL_MS: "50",
    GRADER_WORKER_ID: "first-job",
    GRADER_HTTP_PORT: String(port),
    GRADER_CACHE_DIR: join(repoDir, "data", "cache"),
  });
  try {
    const ready = await readyAfter(port, started, started + 300_000);
    for (const { submission } of queued) await waitForVerdict(db, submission.id, 900_000, 100);
    const phases = [];
    for (const { job } of queued) {
      const row = await db.kysely
        .selectFrom("jobs")
        .select(["started_at", "finished_at"])
        .where("id", "=", job.id)
        .executeTakeFirstOrThrow();
      const events = await progressSince(db, job.id, 0);
      const at = (type: string) => events.find((e) => e.event.type === type)?.at;
      const claimed = Number(row.started_at);
      const rel = (t: number | undefined) => (t === undefined ? "?" : ((t - claimed) / 1000).toFixed(1));
      phases.push(
        `child ready +${rel(at("started"))} s, epoch 1 +${rel(at("epoch"))} s, evaluating +${rel(at("evaluating"))} s, done +${rel(Number(row.finished_at))} s`,
      );
    }
    const times = [...grader.output().matchAll(/→ \w+ \(score [\d.]+, (\d+) ms/g)].map((m) => Number(m[1]) / 1000);
    const [first, ...rest] = times;
    const warm = rest.length ? rest.reduce((a, b) => a + b, 0) / rest.length : Number.NaN;
    console.log(
      `run ${run}: ready after ${ready === null ? "?" : (ready / 1000).toFixed(1)} s; claim-to-verdict per job ${times.map((t) => t.toFixed(1)).join(", ")} s; ` +
        `first ${first?.toFixed(1) ?? "?"} s vs warm mean ${warm.toFixed(1)} s = ${first === undefined ? "?" : (first / warm).toFixed(1)}×; ` +
        `all ${jobs} verdicts ${((Date.now() - started) / 1000).toFixed(1)} s after start`,
    );
    phases.forEach((line, i) => console.log(`  job ${i + 1} after its claim: ${line}`));
  } finally {
    await grader.stop();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
