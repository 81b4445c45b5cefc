import { fork, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { GraderConfig } from "./config";
import { codeTrees, grader, parentDirs, roBind, safe, secretMasks, systemMounts, type Mount } from "./jail-mounts";
import { repoRoot } from "./paths";

/**
 * The OS sandbox of every child that runs a student's model (training, experiments, tuning trials)
 * or loads the backend (calibration). The model-JSON allowlist keeps student code out; this is the
 * second wall, for the day that allowlist slips: Debian's bubblewrap gives the child its own mount,
 * network, PID, IPC and UTS namespaces and a filesystem of read-only code with the training data it
 * is handed, and setpriv drops it to an unprivileged uid when the grader runs as root.
 */
export type SandboxMode = "required" | "auto" | "off";

/** What `/healthz` and the start-up log say about the sandbox. */
export interface SandboxStatus {
  mode: SandboxMode;
  /** Whether children run inside bubblewrap (false: only the environment allowlist and their own session). */
  active: boolean;
  /** The uid children run as. */
  uid: number;
  detail: string;
}

export class SandboxUnavailableError extends Error {
  override name = "SandboxUnavailableError";
}

export { execArgvFor, TSX_EXEC_ARGV } from "./entry";

/** Where a child's staged training data appears inside the sandbox (read-only). */
export const JAIL_DATA_DIR = "/stepwise-data";
/** The uid and gid children drop to when the grader runs as root: Debian's `nobody`/`nogroup`. */
export const JAIL_UID = 65534;
const SCRATCH = "/tmp";

/**
 * The only variables a child inherits. Never the database URL or any secret: a child gets what node,
 * TF.js and OpenBLAS read (the BLAS choice and thread counts), and node adds its IPC channel itself.
 */
const PASSED_THROUGH = ["STEPWISE_BLAS", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "TZ"] as const;

export function childEnv(home: string): Record<string, string> {
  const env: Record<string, string> = { PATH: "/usr/local/bin:/usr/bin:/bin", HOME: home, TMPDIR: home, LANG: "C.UTF-8" };
  // Forwarding, not configuration: the grader's own settings are parsed in config.ts.
  for (const name of PASSED_THROUGH) {
    // eslint-disable-next-line no-restricted-properties -- forwarding the allowlist to a child, not reading a setting
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

const TOOL_DIRS = ["/usr/bin", "/usr/local/bin", "/bin", "/usr/sbin", "/sbin"];

export interface JailOptions {
  mode: SandboxMode;
  /** Paths never shown to a child even if they lie inside the code (the database file, the dataset cache). */
  hidden?: readonly string[];
  /** Where bwrap and setpriv are looked for (fixed system directories, not the grader's PATH). */
  toolDirs?: readonly string[];
}

export interface SpawnOptions {
  execArgv: readonly string[];
  /** The child's stderr is piped (it is untrusted and capped by the caller); stdout is dropped. */
  serialization?: "json" | "advanced";
}

const asRoot = () => process.getuid?.() === 0;

/**
 * Starts children the same way for every caller: `Jail.spawn` in the warm pool, for one-off runs, for
 * calibration and for the tests' hostile fixture. Each child leads its own session (the grader's
 * process group may be signalled as a whole by a supervisor, and a child must not die of that), and
 * dies with the grader: bubblewrap's `--die-with-parent` and the IPC channel's disconnect.
 */
export class Jail {
  readonly status: SandboxStatus;
  private readonly tools: Tools | undefined;
  private readonly mounts: Mount[];
  private readonly dataDirs = new WeakMap<ChildProcess, string>();

  constructor(options: JailOptions) {
    sweepDataDirs();
    const root = repoRoot(grader);
    this.mounts = [...systemMounts(), ...codeTrees(root).map((tree) => roBind(tree)), ...secretMasks(root, options.hidden ?? [])];
    const uid = process.getuid?.() ?? 0;
    if (options.mode === "off") {
      this.status = {
        mode: "off",
        active: false,
        uid,
        detail: "sandbox off (GRADER_SANDBOX=off): children get an explicit environment and their own session only",
      };
      return;
    }
    const probe = probeTools(options.toolDirs ?? TOOL_DIRS, (tools) => this.args([process.execPath, "-e", "0"], tmpdir(), tools));
    if ("missing" in probe) {
      if (options.mode === "required") {
        throw new SandboxUnavailableError(
          `GRADER_SANDBOX=required, but the training sandbox cannot run: ${probe.missing}. Install bubblewrap (scripts/setup.sh does, or apt-get install bubblewrap), or set GRADER_SANDBOX=auto to run children unsandboxed`,
        );
      }
      this.status = {
        mode: options.mode,
        active: false,
        uid,
        detail: `sandbox unavailable (${probe.missing}): training children run WITHOUT the OS sandbox (same uid, host network, whole filesystem). Install bubblewrap (scripts/setup.sh does), or set GRADER_SANDBOX=required to refuse to start`,
      };
      return;
    }
    this.tools = probe;
    const childUid = asRoot() ? JAIL_UID : uid;
    this.status = {
      mode: options.mode,
      active: true,
      uid: childUid,
      detail: `bubblewrap: uid ${childUid}, no network, read-only code, own namespaces`,
    };
  }

  /** The bubblewrap command line around `command`, with `dataDir` bound read-only at JAIL_DATA_DIR. */
  private args(command: readonly string[], dataDir: string, tools: Tools): string[] {
    const mounts = [...this.mounts, roBind(dataDir, JAIL_DATA_DIR)];
    const drop = tools.setpriv
      ? [
          tools.setpriv,
          "--reuid",
          String(JAIL_UID),
          "--regid",
          String(JAIL_UID),
          "--clear-groups",
          "--no-new-privs",
          "--bounding-set",
          "-all",
          "--inh-caps",
          "-all",
          "--pdeathsig",
          "SIGKILL",
          "--",
        ]
      : [];
    return [
      ...(asRoot() ? [] : ["--unshare-user"]),
      "--unshare-net",
      "--unshare-pid",
      "--unshare-ipc",
      "--unshare-uts",
      "--unshare-cgroup-try",
      "--hostname",
      "sandbox",
      "--die-with-parent",
      "--new-session",
      "--proc",
      "/proc",
      "--dev",
      "/dev",
      "--perms",
      "1777",
      "--tmpfs",
      SCRATCH,
      ...parentDirs(mounts),
      ...mounts.flatMap((m) => m.args),
      "--chdir",
      grader,
      "--",
      ...drop,
      ...command,
    ];
  }

  /** Starts `script` under node with `execArgv` (`execArgvFor(script)`), sandboxed when the sandbox is active. */
  spawn(script: string, args: readonly string[], options: SpawnOptions): ChildProcess {
    const stdio = ["ignore", "ignore", "pipe", "ipc"] as const;
    const serialization = options.serialization ?? "json";
    if (!this.tools) {
      return fork(script, [...args], {
        execArgv: [...options.execArgv],
        stdio: [...stdio],
        serialization,
        detached: true,
        env: childEnv(tmpdir()),
      });
    }
    // Training data reaches the child through this directory, filled per run (sandbox.ts, jail-data.ts).
    const dataDir = mkdtempSync(join(tmpdir(), `${DATA_DIR_PREFIX}${process.pid}-`));
    chmodSync(dataDir, 0o755);
    const command = [process.execPath, ...options.execArgv, script, ...args];
    const child = spawn(this.tools.bwrap, this.args(command, dataDir, this.tools), {
      stdio: [...stdio],
      serialization,
      detached: true,
      env: childEnv(SCRATCH),
    });
    this.dataDirs.set(child, dataDir);
    const cleanup = () => {
      killStragglers((cmdline) => cmdline.includes(`\0${dataDir}\0`));
      rmSync(dataDir, { recursive: true, force: true });
    };
    child.once("exit", cleanup);
    child.once("error", cleanup);
    return child;
  }

  /** The host directory whose files a sandboxed child sees at JAIL_DATA_DIR; undefined outside the sandbox. */
  dataDirOf(child: ChildProcess): string | undefined {
    return this.dataDirs.get(child);
  }
}

/** The sandbox's programs; setpriv only when the grader runs as root (it drops the uid). */
interface Tools {
  bwrap: string;
  setpriv: string | undefined;
}
const DATA_DIR_PREFIX = "stepwise-jail-";

/**
 * Removes the data directories of graders that died without cleaning up (SIGKILL): they hold hard
 * links that would keep replaced cache files on disk. A directory carries its grader's pid. And
 * kills what those graders' children left of bubblewrap (`killStragglers`): those of graders that
 * share this temporary directory, as the data directories are.
 */
function sweepDataDirs(): void {
  const prefix = join(tmpdir(), DATA_DIR_PREFIX);
  const deadGrader = (path: string) => {
    const pid = Number(path.startsWith(prefix) ? /^(\d+)-/.exec(path.slice(prefix.length))?.[1] : undefined);
    return pid > 0 && pid !== process.pid && !existsSync(`/proc/${pid}`);
  };
  killStragglers((cmdline) => cmdline.split("\0").some(deadGrader));
  for (const name of safe(() => readdirSync(tmpdir())) ?? []) {
    const path = join(tmpdir(), name);
    if (deadGrader(path)) rmSync(path, { recursive: true, force: true });
  }
}

/**
 * SIGKILLs the bubblewrap processes whose command line `matches`. Killed in the few milliseconds
 * between its clone and its go-ahead to the inner process, bubblewrap leaves that inner process (pid
 * 1 of the child's namespaces) blocked for ever on a read nobody will answer, re-parented to init: it
 * asks for --die-with-parent only after that read (bubblewrap 0.8 to 0.11). A child killed right after
 * its start — a job aborted, the warm pool closed while a successor sets up — left one 7 times in 20.
 * The inner process keeps the outer's command line, with the child's own data directory in it.
 */
function killStragglers(matches: (cmdline: string) => boolean): void {
  for (const entry of safe(() => readdirSync("/proc")) ?? []) {
    if (!/^\d+$/.test(entry) || safe(() => readFileSync(`/proc/${entry}/comm`, "utf8").trim()) !== "bwrap") continue;
    if (matches(safe(() => readFileSync(`/proc/${entry}/cmdline`, "utf8")) ?? "")) safe(() => process.kill(Number(entry), "SIGKILL"));
  }
}

type Probe = Tools | { missing: string };
const probes = new Map<string, Probe>();

/**
 * Whether bubblewrap (and setpriv, as root) are installed and actually work here — a container may
 * forbid the namespaces — by starting node in the same sandbox a child gets. Once per process.
 */
function probeTools(dirs: readonly string[], args: (tools: Tools) => string[]): Probe {
  const key = dirs.join(":");
  let probe = probes.get(key);
  if (!probe) {
    probe = runProbe(dirs, args);
    probes.set(key, probe);
  }
  return probe;
}

function runProbe(dirs: readonly string[], args: (tools: Tools) => string[]): Probe {
  const find = (name: string) => dirs.map((dir) => join(dir, name)).find((path) => existsSync(path));
  const bwrap = find("bwrap");
  const setpriv = asRoot() ? find("setpriv") : undefined;
  if (!bwrap) return { missing: "bubblewrap (bwrap) is not installed" };
  if (asRoot() && !setpriv) return { missing: "setpriv (util-linux) is not installed, and children would keep root" };
  const run = spawnSync(bwrap, args({ bwrap, setpriv }), { encoding: "utf8", timeout: 10_000, env: childEnv(SCRATCH) });
  if (run.status !== 0)
    return {
      missing: `bwrap does not run here (${(run.stderr || run.error?.message || `exit ${run.status ?? "?"}`).trim().split("\n")[0]})`,
    };
  return { bwrap, setpriv };
}

const jails = new Map<string, Jail>();

/** One jail per setting, built once: the probe and the mount list do not change while the grader runs. */
export function jailFor(options: JailOptions): Jail {
  const key = JSON.stringify([options.mode, options.hidden ?? [], options.toolDirs ?? TOOL_DIRS]);
  let jail = jails.get(key);
  if (!jail) {
    jail = new Jail(options);
    jails.set(key, jail);
  }
  return jail;
}

/**
 * The grader's jail: its GRADER_SANDBOX mode, and its database file and dataset cache hidden from
 * children should either lie inside the code trees. Throws SandboxUnavailableError in "required"
 * mode when the sandbox cannot run here.
 */
export function graderJail(config: Pick<GraderConfig, "sandbox" | "databaseUrl" | "cacheDir">): Jail {
  const hidden = [config.cacheDir];
  if (!/^postgres(ql)?:\/\//.test(config.databaseUrl)) {
    const file = resolve(config.databaseUrl.replace(/^file:(\/\/(?=\/))?/, ""));
    hidden.push(file, `${file}-wal`, `${file}-shm`, `${file}-journal`);
  }
  return jailFor({ mode: config.sandbox, hidden });
}

/** Pids of a process and all its descendants (a sandboxed child is bubblewrap's child), parents first. */
export function processTree(pid: number): number[] {
  const pids = [pid];
  for (let i = 0; i < pids.length; i++) {
    const tasks = safe(() => readdirSync(`/proc/${pids[i]}/task`)) ?? [];
    for (const task of tasks) {
      const children = safe(() => readFileSync(`/proc/${pids[i]}/task/${task}/children`, "utf8")) ?? "";
      for (const child of children.trim().split(/\s+/).filter(Boolean)) pids.push(Number(child));
    }
  }
  return pids;
}
