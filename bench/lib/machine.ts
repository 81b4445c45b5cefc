import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { SYSTEM_PYTHON } from "./child";

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  tfjs: string;
  torch: string;
  numpy: string;
  blas: string;
}

function pythonVersion(module: string): string {
  const r = spawnSync(SYSTEM_PYTHON, ["-c", `import ${module}; print(${module}.__version__)`], { encoding: "utf8", timeout: 60_000 });
  return r.status === 0 ? r.stdout.trim() : "not installed";
}

function tfjsVersion(repoDir: string): string {
  try {
    const pkg = readFileSync(`${repoDir}/packages/core/node_modules/@tensorflow/tfjs/package.json`, "utf8");
    return (JSON.parse(pkg) as { version: string }).version;
  } catch {
    return "unknown";
  }
}

function blas(): string {
  const r = spawnSync("readlink", ["-f", "/usr/lib/x86_64-linux-gnu/libblas.so.3"], { encoding: "utf8" });
  const path = r.stdout.trim();
  return path.includes("openblas") ? "OpenBLAS" : path ? `reference BLAS (${path})` : "unknown";
}

export function describeMachine(repoDir: string): Machine {
  return {
    cpu: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    memoryGiB: totalmem() / 1024 ** 3,
    node: process.version,
    tfjs: tfjsVersion(repoDir),
    torch: pythonVersion("torch"),
    numpy: pythonVersion("numpy"),
    blas: blas(),
  };
}

/** 1-minute load average: other work on the machine skews every number, so it is recorded per section. */
export function load1(): number {
  return loadavg()[0] ?? 0;
}
