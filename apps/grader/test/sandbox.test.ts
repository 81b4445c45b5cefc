/**
 * The training child's OS sandbox (jail.ts). A hostile payload started through the pool's own spawn
 * function tries to reach the database, the test labels, the grader's environment and PostgreSQL,
 * and every attempt fails; a real grader started as root keeps its warm child without secrets, as
 * an unprivileged uid, in its own network namespace and its own session — so a signal to the
 * grader's process group no longer kills the job it is training.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { SubmissionPayload } from "@stepwise/core/contracts";
import { imdbCacheFiles, imdbReviewsFile, loadImdbTestLabels, mnistDataDir } from "@stepwise/core/datasets/node";
import { jobById, latestJobForSubmission, progressSince } from "@stepwise/db";
import { openTestDb, type TestDb } from "@stepwise/db/testing";
import { solutions } from "@stepwise/exercises/solutions";
import { configFromEnv } from "../src/config";
import { childEnv, graderJail, Jail, JAIL_DATA_DIR, JAIL_UID, processTree, SandboxUnavailableError, TSX_EXEC_ARGV } from "../src/jail";
import { cacheFilesFor, stageFiles } from "../src/jail-data";
import { repoRoot } from "../src/paths";
import type { Attempt, Targets } from "./fixtures/hostile-child";
import { GRADER_ARGV, studentWithAssignment, submit, testConfig, waitForVerdict } from "./helpers";

const graderDir = resolve(import.meta.dirname, "..");
const root = repoRoot(graderDir);
const hostile = join(import.meta.dirname, "fixtures", "hostile-child.ts");
const asRoot = process.getuid?.() === 0;
const SECRET = "sandbox-test-auth-secret";

interface Report {
  attempts: Attempt[];
  controls: Attempt[];
  uid: number;
  env: string[];
}

function ask(child: ChildProcess, targets: Targets): Promise<Report> {
  return new Promise((resolveReport, reject) => {
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("message", (report) => resolveReport(report as Report));
    child.once("exit", (code, signal) => reject(new Error(`hostile child exited (${code ?? signal}) before reporting: ${stderr}`)));
    child.send(targets);
  });
}

const statusUids = (pid: number) =>
  (/^Uid:\s+(.*)$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? "").split(/\s+/).map(Number);
/** Process group and session of a process (fields 5 and 6 of /proc/<pid>/stat; the name may hold spaces). */
function groupOf(pid: number): { pgrp: number; session: number } {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8")
    .replace(/^.*\) /, "")
    .split(" ");
  return { pgrp: Number(fields[2]), session: Number(fields[3]) };
}

describe("the training child's sandbox", () => {
  const cleanups: (() => void | Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const setEnv = (name: string, value: string) => {
    const previous = process.env[name];
    process.env[name] = value;
    cleanups.push(() => {
      if (previous === undefined) delete process.env[name];
      else process.env[name] = previous;
    });
  };

  it("a hostile child reads no database, no test labels, no secrets, reaches no network and writes no code", async () => {
    const dataDir = join(root, "data");
    const cacheDir = testConfig("file:unused").cacheDir;
    // The embedded database lives in <repo>/data by default; a second one sits inside the code the child sees.
    const db = join(dataDir, `sandbox-test-${process.pid}.db`);
    const dbInCode = join(graderDir, "test", "fixtures", `.sandbox-test-${process.pid}.db`);
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(db, "SQLite format 3\0 users and sessions");
    writeFileSync(dbInCode, "SQLite format 3\0 users and sessions");
    const written = join(graderDir, "test", "fixtures", `written-by-child-${process.pid}.txt`);
    cleanups.push(() => [db, dbInCode, written].forEach((file) => rmSync(file, { force: true })));
    // The IMDB cache with its test-label file, as the grader's parent leaves it after a grading.
    loadImdbTestLabels({ cacheDir });
    const imdbLabels = imdbCacheFiles({ cacheDir }).testLabels;

    // The grader's own environment, which the child must not inherit.
    setEnv("DATABASE_URL", `file:${db}`);
    setEnv("BETTER_AUTH_SECRET", SECRET);

    const jail = graderJail({ sandbox: "required", databaseUrl: `file:${dbInCode}`, cacheDir });
    expect(jail.status).toMatchObject({ mode: "required", active: true });
    const child = jail.spawn(hostile, [], { execArgv: TSX_EXEC_ARGV });
    cleanups.push(() => void child.kill("SIGKILL"));
    const dir = jail.dataDirOf(child);
    if (!dir) throw new Error("a sandboxed child has a data directory");
    // The run's data as the pool stages it for an IMDB job: training and test inputs only.
    stageFiles(dir, cacheFilesFor({ kind: "imdb", vocabularySize: 10_000 }, cacheDir));

    const mnist = realpathSync(mnistDataDir());
    const report = await ask(child, {
      secrets: [
        db,
        dbInCode,
        join(mnist, "t10k-labels-idx1-ubyte"),
        imdbLabels,
        join(JAIL_DATA_DIR, imdbLabels.split("/").at(-1) ?? ""),
        realpathSync(imdbReviewsFile()),
        join(root, "packages", "exercises", "data", "house-prices.csv"),
      ],
      allowed: join(mnist, "train-images-idx3-ubyte"),
      writable: written,
      dataDir: JAIL_DATA_DIR,
      port: 5432,
    });

    for (const attempt of report.attempts) expect(attempt, `${attempt.name}: ${attempt.detail}`).toMatchObject({ succeeded: false });
    expect(report.attempts.map((a) => a.name)).toEqual(
      expect.arrayContaining([
        "read /proc/1/environ",
        "DATABASE_URL in own environment",
        "BETTER_AUTH_SECRET in own environment",
        "connect to 127.0.0.1:5432",
      ]),
    );
    // The controls: reads work, and the run's data directory holds exactly its training and test-input files.
    expect(report.controls[0]).toMatchObject({ succeeded: true });
    const { train, testInputs } = imdbCacheFiles({ cacheDir });
    expect(report.controls[1]).toMatchObject({
      succeeded: true,
      detail: [train, testInputs]
        .map((f) => f.split("/").at(-1))
        .sort()
        .join(","),
    });
    expect(existsSync(written)).toBe(false);
    expect(report.env).not.toContain("DATABASE_URL");
    expect(report.env).not.toContain("BETTER_AUTH_SECRET");
    expect(report.uid).toBe(asRoot ? JAIL_UID : process.getuid?.());
  });

  it("without bubblewrap: `required` refuses, `auto` says so and still gives children an explicit environment and their own session", async () => {
    const nowhere = { toolDirs: [join(import.meta.dirname, "fixtures", "no-tools-here")] };
    expect(() => new Jail({ mode: "required", ...nowhere })).toThrow(SandboxUnavailableError);
    expect(() => new Jail({ mode: "required", ...nowhere })).toThrow(/GRADER_SANDBOX=required.*bubblewrap \(bwrap\) is not installed/);
    const jail = new Jail({ mode: "auto", ...nowhere });
    expect(jail.status).toMatchObject({ mode: "auto", active: false });
    expect(jail.status.detail).toMatch(/WITHOUT the OS sandbox/);
    expect(new Jail({ mode: "off" }).status).toMatchObject({ mode: "off", active: false });

    setEnv("BETTER_AUTH_SECRET", SECRET);
    const child = jail.spawn(hostile, [], { execArgv: TSX_EXEC_ARGV });
    cleanups.push(() => void child.kill("SIGKILL"));
    expect(jail.dataDirOf(child)).toBeUndefined();
    const report = await ask(child, {
      secrets: [],
      allowed: hostile,
      writable: join(tmpdir(), `sandbox-test-${process.pid}`),
      dataDir: tmpdir(),
      port: 1,
    });
    // The base four, plus what the grader forwards on purpose when this process has it (the BLAS choice and
    // thread counts: loading the native kernels in a test file before this one sets OPENBLAS_NUM_THREADS).
    expect(report.env).toEqual(Object.keys(childEnv(tmpdir())).sort());
    expect(report.env).toEqual(expect.arrayContaining(["HOME", "LANG", "PATH", "TMPDIR"]));
    expect(report.env).not.toContain("BETTER_AUTH_SECRET");
    expect(groupOf(child.pid ?? 0).session).not.toBe(groupOf(process.pid).session);
    expect(groupOf(child.pid ?? 0).pgrp).not.toBe(groupOf(process.pid).pgrp);
  });

  it("GRADER_SANDBOX is parsed with the configuration", () => {
    const defaults = { databaseUrl: "file:x.db", cacheDir: "cache", workerId: "w" };
    expect(configFromEnv({}, defaults).sandbox).toBe("auto");
    expect(configFromEnv({ GRADER_SANDBOX: "required" }, defaults).sandbox).toBe("required");
    expect(() => configFromEnv({ GRADER_SANDBOX: "maybe" }, defaults)).toThrow(/sandbox/);
  });

  it("a grader started as root keeps its warm child without secrets, unprivileged, off the network and out of its process group", async () => {
    const testDb: TestDb = await openTestDb("sqlite");
    cleanups.push(() => testDb.cleanup());
    const { db, url } = testDb;
    const grader = spawn(process.execPath, [...GRADER_ARGV], {
      cwd: graderDir,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        DATABASE_URL: url,
        BETTER_AUTH_SECRET: SECRET,
        GRADER_SANDBOX: "required",
        GRADER_HTTP_PORT: "0",
        GRADER_CONCURRENCY: "1",
        // What is checked here is the training children's sandbox; the calibration child (tested in
        // calibration.test.ts) would only delay the warm child by ~2.3 s.
        GRADER_CALIBRATE: "off",
        GRADER_WARM_UP: "off",
        GRADER_POLL_MS: "50",
        GRADER_WORKER_ID: "sandboxed",
        GRADER_TRAIN_LIMIT: "2000",
        GRADER_TEST_LIMIT: "500",
        GRADER_CACHE_DIR: testConfig(url).cacheDir,
      },
    });
    const graderPid = grader.pid ?? 0;
    cleanups.push(() => killGroup(graderPid));
    let output = "";
    grader.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    grader.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));

    const child = await warmChild(graderPid, () => output);

    const environ = readFileSync(`/proc/${child}/environ`, "latin1").split("\0");
    expect(environ.some((v) => v.startsWith("DATABASE_URL="))).toBe(false);
    expect(environ.some((v) => v.startsWith("BETTER_AUTH_SECRET=") || v.includes(SECRET))).toBe(false);
    expect(readFileSync(`/proc/${graderPid}/environ`, "latin1")).toContain(SECRET);
    const uids = statusUids(child);
    expect(uids.every((uid) => uid !== 0)).toBe(true);
    if (asRoot) expect(uids).toEqual([JAIL_UID, JAIL_UID, JAIL_UID, JAIL_UID]);
    expect(readlinkSync(`/proc/${child}/ns/net`)).not.toBe(readlinkSync(`/proc/${graderPid}/ns/net`));
    const sandboxed = processTree(graderPid).filter((pid) => read(`/proc/${pid}/cmdline`).includes("dist/child.js"));
    expect(sandboxed.length).toBeGreaterThanOrEqual(2);
    for (const pid of sandboxed) expect(groupOf(pid).pgrp, `pid ${pid}`).not.toBe(groupOf(graderPid).pgrp);

    let port: string | undefined;
    for (let i = 0; !(port = /127\.0\.0\.1:(\d+)\/metrics/.exec(output)?.[1]) && i < 600; i++) await new Promise((r) => setTimeout(r, 100));
    expect(port, output).toBeDefined();
    const health = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as {
      sandbox: { mode: string; active: boolean; uid: number };
    };
    expect(health.sandbox).toMatchObject({ mode: "required", active: true, uid: asRoot ? JAIL_UID : process.getuid?.() });

    // A supervisor stops the grader by signalling its whole process group while a job trains: the
    // grader drains and the job finishes in the child that was training it, on its first attempt.
    const reference = solutions["mnist-beat-baseline"]?.reference as SubmissionPayload;
    const { student, assignment } = await studentWithAssignment(db, "mnist-beat-baseline");
    const { submission, job } = await submit(db, { assignmentId: assignment.id, userId: student.id }, reference);
    for (let i = 0; !(await progressSince(db, job.id, 0)).some((p) => p.event.type === "epoch"); i++) {
      if (i > 1200) throw new Error(`the job never reached its first epoch: ${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    process.kill(-graderPid, "SIGTERM");
    const verdict = await waitForVerdict(db, submission.id);
    expect(verdict.status, output).toBe("passed");
    expect((await latestJobForSubmission(db, submission.id))?.attempts).toBe(1);
    expect((await jobById(db, job.id))?.workerId).toBe("sandboxed");
  });

  it("a child killed while bubblewrap sets it up leaves no process behind", async () => {
    const jail = new Jail({ mode: "required" });
    const dirs: string[] = [];
    // Killed at once and a few milliseconds in: the window where bubblewrap's inner process still waits for the outer one.
    for (const delay of [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 3, 3, 4, 5, 6, 8, 10]) {
      const child = jail.spawn(hostile, [], { execArgv: TSX_EXEC_ARGV });
      dirs.push(jail.dataDirOf(child) ?? "");
      await new Promise((r) => setTimeout(r, delay));
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGKILL");
      await exited;
    }
    expect(dirs.every((dir) => dir !== "")).toBe(true);
    const left = () =>
      readdirSync("/proc")
        .filter((pid) => /^\d+$/.test(pid) && read(`/proc/${pid}/comm`).trim() === "bwrap")
        .filter((pid) => dirs.some((dir) => read(`/proc/${pid}/cmdline`).includes(dir)));
    await expect.poll(left, { timeout: 5_000 }).toEqual([]);
  });

  it("a grader starting up kills what a dead grader's children left of bubblewrap, and removes their data", async () => {
    // Both graders in a temporary directory of their own: the other test processes' jails sweep theirs, not this one.
    const scratch = mkdtempSync(join(tmpdir(), "sweep-test-"));
    cleanups.push(() => rmSync(scratch, { recursive: true, force: true }));
    const grader = async (mode: "abandon" | "start") => {
      const started = spawn(process.execPath, [...TSX_EXEC_ARGV, join(import.meta.dirname, "fixtures", "jail-process.ts"), mode], {
        stdio: "ignore",
        env: { ...process.env, TMPDIR: scratch },
      });
      await new Promise((r) => started.once("exit", r));
      return started.pid ?? 0;
    };
    const dataDirs = (pid: number) => readdirSync(scratch).filter((name) => name.startsWith(`stepwise-jail-${pid}-`));
    const strays = (pid: number) =>
      readdirSync("/proc").filter(
        (entry) =>
          /^\d+$/.test(entry) &&
          read(`/proc/${entry}/comm`).trim() === "bwrap" &&
          read(`/proc/${entry}/cmdline`).includes(join(scratch, `stepwise-jail-${pid}-`)),
      );
    // A few tries: each kill lands in bubblewrap's window only some of the time. What is still there
    // two seconds on is stuck for good (a child killed just after the window exits by itself).
    let dead = 0;
    for (let attempt = 0; attempt < 5 && (dead === 0 || strays(dead).length === 0); attempt++) {
      dead = await grader("abandon");
      await new Promise((r) => setTimeout(r, 2_000));
    }
    expect(strays(dead).length).toBeGreaterThan(0);
    expect(dataDirs(dead).length).toBe(10);
    await grader("start");
    await expect.poll(() => strays(dead), { timeout: 5_000 }).toEqual([]);
    expect(dataDirs(dead)).toEqual([]);
  });

  it("a warm child dies with a grader killed by SIGKILL", async () => {
    const testDb: TestDb = await openTestDb("sqlite");
    cleanups.push(() => testDb.cleanup());
    const grader = spawn(process.execPath, [...GRADER_ARGV], {
      cwd: graderDir,
      detached: true,
      stdio: "ignore",
      env: {
        ...process.env,
        DATABASE_URL: testDb.url,
        GRADER_SANDBOX: "required",
        GRADER_CONCURRENCY: "1",
        // What is checked here is the training children's sandbox; the calibration child (tested in
        // calibration.test.ts) would only delay the warm child by ~2.3 s.
        GRADER_CALIBRATE: "off",
        GRADER_WARM_UP: "off",
        GRADER_WORKER_ID: "killed",
      },
    });
    const graderPid = grader.pid ?? 0;
    cleanups.push(() => killGroup(graderPid));
    const child = await warmChild(graderPid, () => "");
    // The grader alone, not its group: nothing but bubblewrap's --die-with-parent and the IPC channel end the child.
    process.kill(graderPid, "SIGKILL");
    for (let i = 0; existsSync(`/proc/${child}`) && i < 100; i++) await new Promise((r) => setTimeout(r, 100));
    expect(existsSync(`/proc/${child}`)).toBe(false);
  });
});

function killGroup(pid: number): void {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // Already gone with its children.
  }
}

const read = (file: string) => {
  try {
    return readFileSync(file, "latin1");
  } catch {
    return "";
  }
};

/** The warm training child of a grader: node under bubblewrap running dist/child.js, past setpriv when root. */
async function warmChild(graderPid: number, output: () => string): Promise<number> {
  for (let i = 0; i < 1200; i++) {
    const pid = processTree(graderPid).find(
      (p) => read(`/proc/${p}/comm`).trim() === "node" && read(`/proc/${p}/cmdline`).includes("dist/child.js"),
    );
    if (pid !== undefined && (!asRoot || statusUids(pid)[0] !== 0)) return pid;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no warm training child under the grader: ${output()}`);
}
