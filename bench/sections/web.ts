import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { createSession } from "@stepwise/db";
import { solutions } from "@stepwise/exercises/solutions";
import { closedLoop, openLoop, type LoadResult, type LoadTarget } from "../lib/load";
import { courseWithAssignment, enrolledStudent, freshDb, signedSession, startWeb, submit } from "../lib/platform";
import { fmt, fmtSummary, summarize } from "../lib/stats";
import type { BenchContext, Section } from "../lib/types";

const STUDENTS = 200;
/** How often each student's status page asks in the open-loop measurement (ms). */
const POLL_MS = 1_000;

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules") continue;
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * `next build` when the build is older than any source it bundles (a stale build carries stale
 * migrations and fails against a database migrated by the current code). Returns what was used.
 */
export function ensureBuilt(ctx: BenchContext, webDir: string): string {
  const buildId = join(webDir, ".next", "BUILD_ID");
  const sources = Math.max(newestMtime(join(webDir, "src")), newestMtime(join(ctx.repoDir, "packages")));
  if (existsSync(buildId) && statSync(buildId).mtimeMs > sources)
    return `existing production build from ${new Date(statSync(buildId).mtimeMs).toISOString()}`;
  if (!ctx.buildWeb) {
    throw new Error(
      "apps/web/.next holds no production build newer than the sources (a stale one carries stale migrations); build it first (`cd apps/web && pnpm exec next build`) or pass --build-web",
    );
  }
  ctx.log("web: the production build is stale or missing, running next build (--build-web)");
  const started = performance.now();
  const result = spawnSync("pnpm", ["exec", "next", "build"], {
    cwd: webDir,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
    encoding: "utf8",
    timeout: 900_000,
  });
  if (result.status !== 0)
    throw new Error(
      `next build failed (exit ${result.status ?? result.signal ?? "?"}): ${(result.stderr || result.stdout).replace(new RegExp(String.fromCharCode(27) + "\\[[0-9;]*m", "g"), "").slice(-800)}`,
    );
  return `production build made by the bench in ${fmt((performance.now() - started) / 1000)} s`;
}

/**
 * Latency of `submission.byId` (what a student's status page polls) with 200 concurrent students,
 * each with their own session and submission, against the built app under `next start`.
 */
export const web: Section = {
  name: "web",
  title: "Web status latency",
  async run(ctx) {
    const webDir = join(ctx.repoDir, "apps", "web");
    const build = ensureBuilt(ctx, webDir);

    const { db, url: databaseUrl } = await freshDb(mkdtempSync(join(ctx.tmpDir, "web-")));
    const now = Date.now();
    const { course, assignment } = await courseWithAssignment(db, "mnist-beat-baseline", now);
    const payload = solutions["mnist-beat-baseline"]?.reference;
    if (!payload) throw new Error("expected the MNIST reference solution, found none");
    const targets: LoadTarget[] = [];
    const secret = randomBytes(32).toString("base64url");
    ctx.log(`web: creating ${STUDENTS} students with a session and a submission each`);
    for (let i = 0; i < STUDENTS; i++) {
      const student = await enrolledStudent(db, course.id, i, now);
      const { token } = await createSession(db, student.id, now);
      const { submission } = await submit(db, { assignmentId: assignment.id, userId: student.id }, payload);
      const input = encodeURIComponent(JSON.stringify({ json: { submissionId: submission.id } }));
      targets.push({ path: `/api/trpc/submission.byId?input=${input}`, cookie: `stepwise_session=${signedSession(secret, token)}` });
    }
    await db.close();

    const { server, base } = await startWeb(webDir, databaseUrl, secret);
    const runs: LoadResult[] = [];
    const polled: LoadResult[] = [];
    try {
      const seconds = ctx.quick ? 4 : 15;
      ctx.log("web: warm-up");
      await closedLoop(base, targets, 2, 2_000);
      for (let run = 1; run <= ctx.runs; run++) {
        ctx.log(`web run ${run}/${ctx.runs}: ${STUDENTS} concurrent students for ${seconds} s`);
        runs.push(await closedLoop(base, targets, seconds, 200_000));
        ctx.log(`web run ${run}/${ctx.runs}: ${STUDENTS} students polling every ${POLL_MS} ms for ${seconds} s`);
        polled.push(await openLoop(base, targets, seconds, POLL_MS));
      }
    } finally {
      await server.stop();
    }
    const row = (results: LoadResult[]) => {
      const pick = (f: (r: LoadResult) => number) => fmtSummary(summarize(results.map(f)));
      const errors = results.reduce((s, r) => s + r.errors, 0);
      const total = results.reduce((s, r) => s + r.requests, 0);
      return [
        pick((r) => r.p50),
        pick((r) => r.p95),
        pick((r) => r.p99),
        pick((r) => r.max),
        pick((r) => r.requests / r.seconds),
        `${errors} of ${total.toLocaleString("en-US")}`,
      ];
    };
    const total = runs.reduce((s, r) => s + r.requests, 0);
    const firstError = [...runs, ...polled].find((r) => r.firstError)?.firstError;
    const header = ["p50", "p95", "p99", "max", "requests/s", "errors"];
    return {
      tables: [
        {
          title: `submission.byId over HTTP GET with a session cookie, ${STUDENTS} students each polling every ${POLL_MS / 1000} s (open loop), ms`,
          header,
          rows: [row(polled)],
        },
        {
          title: `The same, ${STUDENTS} students with no pause between requests (closed loop: the server's capacity), ms`,
          header,
          rows: [row(runs)],
        },
      ],
      notes: [
        `next start (${build}) on a fresh SQLite file; the load generator runs in the bench process on the same ${availableParallelism()}-core machine, so it competes with the server for CPU.`,
        `Each student reads their own submission (queued job, no verdict): session lookup, ownership check, submission + job rows, superjson encoding. ${fmt(total / Math.max(1, runs.length))} requests per closed-loop run.`,
        `Open loop: requests are sent on schedule whatever the server's speed and latency counts from when a request was due, so queueing shows. It is what ${STUDENTS} students with the status page open cause; the closed loop is a stress test (latency ≈ ${STUDENTS} ÷ requests/s).`,
        ...(firstError ? [`first error: ${firstError}`] : []),
      ],
    };
  },
};
