/**
 * Database fixtures and process helpers for the grader and web sections: a fresh SQLite file,
 * students with an assignment, and spawned services killed by process group at the end.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHmac } from "node:crypto";
import { createServer } from "node:net";
import { join } from "node:path";
import type { SubmissionPayload, Verdict } from "@stepwise/core/contracts";
import {
  createAssignment,
  createCourse,
  createSubmissionWithJob,
  createUser,
  enroll,
  latestJobForSubmission,
  migrate,
  openDb,
  verdictForJob,
  type Db,
} from "@stepwise/db";
import { buildGrader, GRADER_COMMAND } from "./child";
import type { BenchContext } from "./types";

export async function freshDb(dir: string): Promise<{ db: Db; url: string }> {
  const url = `file:${join(dir, "bench.db")}`;
  const db = await openDb(url);
  await migrate(db);
  return { db, url };
}

export async function courseWithAssignment(db: Db, exerciseId: string, now: number) {
  const course = await createCourse(db, { title: `Bench ${exerciseId}` }, now);
  const assignment = await createAssignment(
    db,
    { courseId: course.id, exerciseId, title: exerciseId, overrides: {}, deadline: null, attemptsAllowed: null, position: 5 },
    now,
  );
  return { course, assignment };
}

export async function enrolledStudent(db: Db, courseId: string, index: number, now: number) {
  const student = await createUser(
    db,
    { email: `bench-${index}-${now}@bench.test`, name: `Student ${index}`, role: "student", password: "bench-password-1" },
    now,
  );
  await enroll(db, { courseId, userId: student.id, role: "student" }, now);
  return student;
}

export async function submit(db: Db, ids: { assignmentId: string; userId: string }, payload: SubmissionPayload) {
  return createSubmissionWithJob(db, { ...ids, exerciseId: payload.exerciseId, payload }, Date.now());
}

/** Polls every `everyMs` until the submission's latest job has a verdict. */
export async function waitForVerdict(db: Db, submissionId: string, timeoutMs: number, everyMs = 25): Promise<Verdict> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await latestJobForSubmission(db, submissionId);
    const verdict = job ? await verdictForJob(db, job.id) : null;
    if (verdict) return verdict;
    if (Date.now() > deadline)
      throw new Error(`expected a verdict for submission ${submissionId} within ${timeoutMs} ms, job is ${job?.status ?? "missing"}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no free port"))));
    });
  });
}

export interface Service {
  child: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
}

/** Spawns a long-lived process in its own process group, so stopping it also stops pnpm's children. */
export function startService(command: string, args: string[], cwd: string, env: Record<string, string>): Service {
  const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let output = "";
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const signal = (name: NodeJS.Signals) => {
    if (child.pid !== undefined && child.exitCode === null) {
      try {
        process.kill(-child.pid, name);
      } catch {
        // already gone
      }
    }
  };
  return {
    child,
    output: () => output,
    stop: async () => {
      signal("SIGTERM");
      const exited = new Promise((r) => child.once("exit", r));
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
      signal("SIGKILL");
    },
  };
}

/** Waits until `url` answers below 500, or fails when the process exits or time runs out. */
export async function waitForHttp(url: string, service: Service, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (service.child.exitCode !== null) throw new Error(`the process exited before serving ${url}: ${service.output().slice(-500)}`);
    try {
      if ((await fetch(url)).status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms: ${service.output().slice(-500)}`);
}

/** A session cookie's value as the server expects it: better-auth signs tokens (HMAC-SHA256) with `secret` and refuses bare ones. */
export function signedSession(secret: string, token: string): string {
  return encodeURIComponent(`${token}.${createHmac("sha256", secret).update(token).digest("base64")}`);
}

/** The built web app under `next start` on a free port, against `databaseUrl`, signing sessions with `secret`; resolves once it answers. */
export async function startWeb(webDir: string, databaseUrl: string, secret: string): Promise<{ server: Service; base: string }> {
  const port = await freePort();
  const server = startService("pnpm", ["exec", "next", "start", "-p", String(port), "-H", "127.0.0.1"], webDir, {
    DATABASE_URL: databaseUrl,
    BETTER_AUTH_SECRET: secret,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${base}/api/trpc/auth.me`, server, 90_000);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return { server, base };
}

/** Grader processes as production runs them: full data (no GRADER_TRAIN_LIMIT), one job at a time each. */
export async function startGraders(ctx: BenchContext, databaseUrl: string, count: number): Promise<Service[]> {
  buildGrader(ctx.repoDir);
  const graders: Service[] = [];
  for (let i = 0; i < count; i++) {
    const port = await freePort();
    const grader = startService(process.execPath, GRADER_COMMAND, ctx.repoDir, {
      DATABASE_URL: databaseUrl,
      GRADER_CONCURRENCY: "1",
      GRADER_POLL_MS: "50",
      GRADER_WORKER_ID: `bench-${i}`,
      GRADER_HTTP_PORT: String(port),
      GRADER_CACHE_DIR: join(ctx.repoDir, "data", "cache"),
    });
    graders.push(grader);
    await waitForHttp(`http://127.0.0.1:${port}/healthz`, grader, 120_000);
  }
  return graders;
}

export async function stopAll(services: Service[]): Promise<void> {
  await Promise.all(services.map((s) => s.stop()));
}
