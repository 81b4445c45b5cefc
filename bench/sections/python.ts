import { spawnSync } from "node:child_process";
import { SYSTEM_PYTHON } from "../lib/child";

export interface PythonStatus {
  numpy: boolean;
  torch: boolean;
  detail: string;
}

let cached: PythonStatus | undefined;

/** Can Debian's python3 import numpy and torch? Checked once per bench invocation. */
export function torchAvailable(repoDir: string): PythonStatus {
  if (cached) return cached;
  const probe = (module: string) =>
    spawnSync(SYSTEM_PYTHON, ["-c", `import ${module}`], { cwd: repoDir, timeout: 60_000, encoding: "utf8" });
  const numpy = probe("numpy");
  const torch = probe("torch");
  cached = {
    numpy: numpy.status === 0,
    torch: torch.status === 0,
    detail: (torch.stderr || numpy.stderr || (numpy.error?.message ?? "")).trim().split("\n").at(-1) ?? "",
  };
  return cached;
}

export function pythonNote(status: PythonStatus): string {
  return `PyTorch/numpy rows skipped: ${SYSTEM_PYTHON} cannot import ${status.numpy ? "torch" : "numpy"} (${status.detail}). Run bench/setup.sh as root.`;
}
