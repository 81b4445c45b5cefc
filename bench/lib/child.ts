import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";

/** Workers print one line `BENCH_RESULT {json}` on stdout; everything else is diagnostics. */
export const RESULT_PREFIX = "BENCH_RESULT ";

export function emitResult(value: unknown): void {
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(value)}\n`);
}

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string>;
  timeoutMs: number;
}

const tail = (text: string, chars = 600) => text.slice(-chars).trim();

/** Runs a worker to completion and returns its parsed result; rejects with the stderr tail on failure. */
export function runWorker<T>(command: string, args: string[], options: RunOptions): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    // Emscripten dumps its whole minified loader into a stack trace; keep only the end.
    child.stderr.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-20_000)));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const line = stdout.split("\n").find((l) => l.startsWith(RESULT_PREFIX));
      if (code === 0 && line) {
        resolve(JSON.parse(line.slice(RESULT_PREFIX.length)) as T);
        return;
      }
      const why = signal === "SIGKILL" ? `timed out after ${options.timeoutMs} ms` : `exited with ${code ?? signal ?? "?"}`;
      reject(new Error(`${[command, ...args.slice(0, 2)].join(" ")} ${why}: ${tail(stderr) || tail(stdout)}`));
    });
  });
}

/** A TypeScript worker under bench/workers, run with tsx from the repository root. */
export function runTsWorker<T>(
  repoDir: string,
  worker: string,
  input: unknown,
  timeoutMs: number,
  env: Record<string, string> = {},
): Promise<T> {
  return runWorker<T>("pnpm", ["exec", "tsx", `bench/workers/${worker}.ts`, JSON.stringify(input)], { cwd: repoDir, env, timeoutMs });
}

/** Node's arguments for a grader as production runs it (README), from the repository root. */
export const GRADER_COMMAND = ["--enable-source-maps", "apps/grader/dist/main.js"];

/** Compiles apps/grader/dist when a source changed, as setup.sh does, so no timed run pays for it (or runs stale code). */
export function buildGrader(repoDir: string): void {
  const build = spawnSync(process.execPath, [join(repoDir, "apps", "grader", "scripts", "build.mjs"), "--if-stale"], { stdio: "inherit" });
  if (build.status !== 0) throw new Error(`building apps/grader/dist failed (exit ${build.status ?? build.signal ?? "?"})`);
}

/** Debian's interpreter, which is where apt installs python3-torch (a pyenv python3 may come first on PATH). */
export const SYSTEM_PYTHON = "/usr/bin/python3";

export function runPython<T>(repoDir: string, script: string, args: string[], timeoutMs: number): Promise<T> {
  // One BLAS/OpenMP thread: the anchor is single-threaded, like the wasm build TF.js uses in Node.
  const env = { OPENBLAS_NUM_THREADS: "1", OMP_NUM_THREADS: "1", MKL_NUM_THREADS: "1" };
  return runWorker<T>(SYSTEM_PYTHON, [`bench/python/${script}`, ...args], { cwd: repoDir, env, timeoutMs });
}

export function peakRssMb(): number {
  // maxRSS is in KiB.
  return process.resourceUsage().maxRSS / 1024;
}
