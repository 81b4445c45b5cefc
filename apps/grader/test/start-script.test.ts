/**
 * `scripts/start.sh` stops everything it started: on Ctrl-C (SIGINT) or a supervisor's SIGTERM it
 * signals each of its background jobs' process groups and waits until they are empty. The real
 * script runs in a copy of the repository's layout whose setup, web app and grader are stand-ins:
 * each starts a grandchild, as pnpm starts next and the grader its helpers, and records the pids (the
 * LMS worker too).
 */
import { spawn } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { repoRoot } from "../src/paths";

const root = repoRoot(import.meta.dirname);

/** A node service (the grader, the LMS worker) that starts a helper and drains briefly on a signal. */
const standInService = (name: string) => `
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
const helper = spawn("sleep", ["300"], { stdio: "ignore" });
writeFileSync(process.env.STAND_IN_DIR + "/${name}", process.pid + " " + helper.pid);
// Drains for a moment, as the real grader does, then exits.
const stop = () => setTimeout(() => process.exit(0), 200);
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
setInterval(() => undefined, 60_000);
`;

const STAND_IN_PNPM = `#!/usr/bin/env bash
case "$*" in
  *build*) exit 0 ;;
  *start*) sleep 300 & echo "$$ $!" > "$STAND_IN_DIR/web"; wait ;;
esac
`;

/** Process group of every live process: pgrp is the 5th field of /proc/<pid>/stat. */
function groups(): Map<number, number> {
  const byPid = new Map<number, number>();
  for (const name of readdirSync("/proc").filter((n) => /^\d+$/.test(n))) {
    try {
      const fields = readFileSync(`/proc/${name}/stat`, "utf8")
        .replace(/^.*\) /s, "")
        .split(" ");
      if (fields[0] !== "Z") byPid.set(Number(name), Number(fields[2]));
    } catch {
      // gone meanwhile
    }
  }
  return byPid;
}

const pidsIn = (file: string) => readFileSync(file, "utf8").trim().split(/\s+/).map(Number);

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 50));
}

describe("scripts/start.sh", () => {
  let dir = "";
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it.each(["SIGINT", "SIGTERM"] as const)("on %s it stops the web app, the grader and everything they started", async (signal) => {
    dir = mkdtempSync(join(tmpdir(), "stepwise-start-"));
    const standIns = join(dir, "pids");
    const bin = join(dir, "bin");
    for (const sub of [
      join(dir, "scripts"),
      join(dir, "apps", "grader", "dist"),
      join(dir, "apps", "web", "scripts"),
      join(dir, "data"),
      standIns,
      bin,
    ])
      mkdirSync(sub, { recursive: true });
    copyFileSync(join(root, "scripts", "start.sh"), join(dir, "scripts", "start.sh"));
    writeFileSync(join(dir, "scripts", "setup.sh"), "exit 0\n");
    writeFileSync(join(dir, "apps", "grader", "dist", "main.js"), standInService("grader"));
    writeFileSync(join(dir, "apps", "grader", "dist", "package.json"), JSON.stringify({ type: "module" }));
    writeFileSync(join(dir, "apps", "web", "scripts", "lti.ts"), standInService("lti"));
    writeFileSync(join(bin, "pnpm"), STAND_IN_PNPM);
    chmodSync(join(bin, "pnpm"), 0o755);
    symlinkSync(join(root, "node_modules"), join(dir, "node_modules"));

    const script = spawn("bash", [join(dir, "scripts", "start.sh")], {
      stdio: "ignore",
      detached: true,
      env: {
        ...process.env,
        PATH: `${bin}:${process.env.PATH ?? ""}`,
        STAND_IN_DIR: standIns,
        DATABASE_URL: `file:${join(dir, "data", "x.db")}`,
      },
    });
    const exited = new Promise<number | null>((resolve) => script.once("exit", (code) => resolve(code)));
    const services = ["grader", "web", "lti"];
    await until(() => services.every((name) => existsSync(join(standIns, name))));
    const started = services.flatMap((name) => pidsIn(join(standIns, name)));
    const before = groups();
    // The background jobs' groups (job control gives each its own), not the script's.
    const jobGroups = new Set(started.map((pid) => before.get(pid)).filter((g): g is number => g !== undefined && g !== script.pid));
    expect(jobGroups.size).toBe(services.length);
    expect(started.every((pid) => before.has(pid))).toBe(true);

    process.kill(script.pid ?? 0, signal);
    await exited;

    const after = groups();
    expect(started.filter((pid) => after.has(pid))).toEqual([]);
    expect([...after].filter(([, group]) => jobGroups.has(group))).toEqual([]);
  });
});
