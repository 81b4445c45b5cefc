import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { mnistDataDir } from "@stepwise/core/datasets/node";
import { buildGrader, runWorker, SYSTEM_PYTHON } from "../lib/child";
import { fmt, fmtSummary, ratio, summarize } from "../lib/stats";
import type { BenchContext, Section } from "../lib/types";
import { pythonNote, torchAvailable } from "./python";

/**
 * End to end, process start included: `stepwise grade` of a 784-64-10 MLP for 2 epochs (start node,
 * load the code and TF.js, load MNIST, train, evaluate, print the verdict) against PyTorch's whole
 * script doing the same (start python, import torch, read MNIST, train, evaluate). The CLI runs the
 * compiled build (apps/grader/dist), as installed; the same command through tsx on the TypeScript
 * sources is the reference for what the build saves.
 */
const HIDDEN = 64;
const EPOCHS = 2;
const EXERCISE = "mnist-beat-baseline";

interface Contender {
  id: string;
  label: string;
  command: string[];
  env?: Record<string, string>;
}

/** The step-5 reference submission with 64 hidden units and 2 epochs. */
function submissionFile(ctx: BenchContext): string {
  const reference = JSON.parse(
    readFileSync(join(ctx.repoDir, "packages", "exercises", "src", "solutions", `${EXERCISE}.reference.json`), "utf8"),
  ) as {
    model: { topology: { config: { layers: { config: { units: number } }[] } } };
    training: { fit: { epochs: number } };
  };
  const hidden = reference.model.topology.config.layers[0];
  if (!hidden) throw new Error(`${EXERCISE}'s reference model has no layers`);
  hidden.config.units = HIDDEN;
  reference.training.fit.epochs = EPOCHS;
  const file = join(ctx.tmpDir, "mlp-784-64-10.json");
  writeFileSync(file, JSON.stringify(reference));
  return file;
}

/** Wall seconds from spawn to exit; throws with the output's tail when the command fails. */
function timed(ctx: BenchContext, c: Contender): number {
  const [command = "", ...args] = c.command;
  const started = performance.now();
  // eslint-disable-next-line no-restricted-properties -- forwarding the environment to a timed child, not reading a setting
  const run = spawnSync(command, args, { cwd: ctx.repoDir, encoding: "utf8", timeout: 600_000, env: { ...process.env, ...c.env } });
  const seconds = (performance.now() - started) / 1000;
  if (run.status !== 0)
    throw new Error(`${c.label} exited with ${run.status ?? run.signal ?? "?"}: ${(run.stderr || run.stdout).slice(-300)}`);
  return seconds;
}

export const startup: Section = {
  name: "startup",
  title: "End to end: `stepwise grade` vs PyTorch's whole script",
  async run(ctx) {
    const notes: string[] = [];
    // Built before timing, as setup.sh leaves it: the CLI would otherwise rebuild inside the first run.
    buildGrader(ctx.repoDir);
    const file = submissionFile(ctx);
    const grade = ["grade", file, "--exercise", EXERCISE, "--json"];
    // What the CLI's bin ran before the build step: node with the tsx loader on the TypeScript entry.
    const tsxLoader = pathToFileURL(createRequire(join(ctx.repoDir, "apps", "grader", "package.json")).resolve("tsx")).href;
    const list: Contender[] = [
      {
        id: "compiled",
        label: "`stepwise grade`, compiled (apps/grader/dist)",
        command: [process.execPath, join(ctx.repoDir, "apps", "grader", "bin", "stepwise.mjs"), ...grade],
      },
      {
        id: "tsx",
        label: "`stepwise grade` through tsx (TypeScript sources)",
        command: [process.execPath, "--import", tsxLoader, join(ctx.repoDir, "apps", "grader", "src", "cli", "main.ts"), ...grade],
      },
    ];
    const python = torchAvailable(ctx.repoDir);
    if (python.torch) {
      const torch: Contender = {
        id: "torch",
        label: "PyTorch whole script, 1 thread",
        command: [SYSTEM_PYTHON, join(ctx.repoDir, "bench", "python", "grade_mnist.py"), mnistDataDir(), String(HIDDEN), String(EPOCHS)],
        env: { OPENBLAS_NUM_THREADS: "1", OMP_NUM_THREADS: "1", MKL_NUM_THREADS: "1" },
      };
      list.push(torch);
      // One untimed run first: its accuracies go into the notes, and every contender then reads a warm page cache.
      const [command = SYSTEM_PYTHON, ...args] = torch.command;
      const check = await runWorker<{ valAccuracy: number; testAccuracy: number }>(command, args, {
        cwd: ctx.repoDir,
        timeoutMs: 600_000,
        ...(torch.env ? { env: torch.env } : {}),
      });
      notes.push(`PyTorch's script: validation accuracy ${fmt(check.valAccuracy)}, test accuracy ${fmt(check.testAccuracy)}.`);
    } else notes.push(pythonNote(python));
    const seconds = new Map<string, number[]>();
    const errors = new Map<string, string>();
    for (let run = 1; run <= ctx.runs; run++) {
      for (const c of list) {
        if (errors.has(c.id)) continue;
        ctx.log(`startup run ${run}/${ctx.runs}: ${c.label}`);
        try {
          seconds.set(c.id, [...(seconds.get(c.id) ?? []), timed(ctx, c)]);
        } catch (error) {
          errors.set(c.id, error instanceof Error ? error.message : String(error));
        }
      }
    }
    const median = (id: string) => {
      const runs = seconds.get(id);
      return runs ? summarize(runs).median : undefined;
    };
    const torch = median("torch");
    const rows = list.map((c) => {
      const runs = seconds.get(c.id);
      if (!runs) return [c.label, `error: ${errors.get(c.id) ?? "no result"}`, "", ""];
      const s = summarize(runs);
      ctx.metrics.set(`startup.${c.id}.seconds`, s.median);
      // Speed relative to PyTorch: its seconds over ours (≥ 1 would be faster than PyTorch).
      return [c.label, fmtSummary(s), ratio(torch, s.median), ratio(median("tsx"), s.median)];
    });
    notes.push(
      `Model 784-${HIDDEN}relu-10softmax, rmsprop 1e-3, batch 128, ${EPOCHS} epochs on 48,000 images (validationSplit 0.2), then the 10,000 test images; wall seconds from spawn to exit, so process start, code loading and data loading count.`,
    );
    return {
      tables: [
        {
          title: `\`stepwise grade\` end to end, MNIST MLP 784-${HIDDEN}-10, ${EPOCHS} epochs`,
          header: ["contender", "wall seconds median (range)", "speed vs PyTorch (its s / ours)", "speed vs tsx"],
          rows,
        },
      ],
      notes,
    };
  },
};
