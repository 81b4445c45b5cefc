import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { mnistDataDir } from "@stepwise/core/datasets/node";
import { buildGrader, RESULT_PREFIX, runWorker, SYSTEM_PYTHON } from "../lib/child";
import { fmt, fmtSummary, ratio, summarize } from "../lib/stats";
import type { BenchContext, Section, Table } from "../lib/types";
import { pythonNote, torchAvailable } from "./python";

/**
 * End to end, process start included: `stepwise grade` of a 784-64-10 MLP for 2 epochs (start node,
 * load the code and TF.js, load MNIST, train, evaluate, print the verdict) against PyTorch's whole
 * script doing the same (start python, import torch, read MNIST, train, evaluate). The CLI runs the
 * compiled build (apps/grader/dist), as installed; the same command through tsx on the TypeScript
 * sources is the reference for what the build saves.
 *
 * Then step 7 as `stepwise grade --previous` grades it on MNIST (the trainings the "fast feedback"
 * target is about): the step-6 model 784-512-512-10 retrained for 20 epochs with per-epoch validation,
 * a 784-512-dropout-10 model for 10 likewise, the final model on all 60k images for the epochs the
 * grader gives it (the configured 10: no early stopping), one test prediction; against
 * `python/grade_mnist_step7.py` doing the same trainings.
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

const TORCH_ENV = { OPENBLAS_NUM_THREADS: "1", OMP_NUM_THREADS: "1", MKL_NUM_THREADS: "1" };

/** Step 7's trainings: the step-6 model's and the regularized model's epochs (fewer with --quick), its dropout and L2. */
const STEP7 = { before: 20, after: 10, quickBefore: 2, quickAfter: 1, dropout: 0.3, l2: 1e-4 } as const;

interface KerasLayer {
  class_name: string;
  config: Record<string, unknown>;
}
interface ReferenceSubmission {
  exerciseId: string;
  model: { topology: { config: { layers: KerasLayer[] } } };
  training: { fit: { epochs: number; augmentation?: unknown } };
}

const reference = (ctx: BenchContext, exercise: string) =>
  JSON.parse(
    readFileSync(join(ctx.repoDir, "packages", "exercises", "src", "solutions", `${exercise}.reference.json`), "utf8"),
  ) as ReferenceSubmission;

/**
 * The step-6 file (mnist-overfit's reference, 784-512relu-512relu-10softmax, for `before` epochs)
 * and the step-7 submission: mnist-regularize's reference cut to one hidden layer, 784-512relu
 * (L2 1e-4)-dropout 0.3-10softmax, without augmentation, for `after` epochs. Both rmsprop 1e-3,
 * batch 128, validationSplit 0.2, shuffled.
 */
function step7Files(ctx: BenchContext, before: number, after: number): { previous: string; submission: string } {
  const step6 = reference(ctx, "mnist-overfit");
  step6.training.fit.epochs = before;
  const step7 = reference(ctx, "mnist-regularize");
  const [hidden, dropout] = step7.model.topology.config.layers;
  const output = step7.model.topology.config.layers.at(-1);
  if (!hidden || dropout?.class_name !== "Dropout" || !output)
    throw new Error("mnist-regularize's reference is no longer Dense-Dropout-…-Dense");
  hidden.config.kernel_regularizer = { class_name: "L1L2", config: { l1: 0, l2: STEP7.l2 } };
  dropout.config.rate = STEP7.dropout;
  step7.model.topology.config.layers = [hidden, dropout, output];
  delete step7.training.fit.augmentation;
  step7.training.fit.epochs = after;
  const previous = join(ctx.tmpDir, "step6-784-512-512-10.json");
  const submission = join(ctx.tmpDir, "step7-784-512-dropout-10.json");
  writeFileSync(previous, JSON.stringify(step6));
  writeFileSync(submission, JSON.stringify(step7));
  return { previous, submission };
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

/**
 * Wall seconds from spawn to exit; throws with the output's tail when the command fails. `ok` lists
 * the exit codes that count as success (`stepwise grade` exits 1 for a graded model that fails).
 */
function timed(ctx: BenchContext, c: Contender, ok: readonly number[] = [0]): { seconds: number; stdout: string } {
  const [command = "", ...args] = c.command;
  const started = performance.now();
  // eslint-disable-next-line no-restricted-properties -- forwarding the environment to a timed child, not reading a setting
  const run = spawnSync(command, args, { cwd: ctx.repoDir, encoding: "utf8", timeout: 600_000, env: { ...process.env, ...c.env } });
  const seconds = (performance.now() - started) / 1000;
  if (run.status === null || !ok.includes(run.status))
    throw new Error(`${c.label} exited with ${run.status ?? run.signal ?? "?"}: ${(run.stderr || run.stdout).slice(-300)}`);
  return { seconds, stdout: run.stdout };
}

/** Runs the contenders interleaved (A1 B1, A2 B2, …); a contender that fails once is not run again. */
function interleaved(
  ctx: BenchContext,
  list: Contender[],
  what: string,
  ok?: readonly number[],
): { seconds: Map<string, number[]>; errors: Map<string, string>; first: Map<string, string> } {
  const seconds = new Map<string, number[]>();
  const errors = new Map<string, string>();
  const first = new Map<string, string>();
  for (let run = 1; run <= ctx.runs; run++) {
    for (const c of list) {
      if (errors.has(c.id)) continue;
      ctx.log(`${what} run ${run}/${ctx.runs}: ${c.label}`);
      try {
        const result = timed(ctx, c, ok);
        seconds.set(c.id, [...(seconds.get(c.id) ?? []), result.seconds]);
        if (!first.has(c.id)) first.set(c.id, result.stdout);
      } catch (error) {
        errors.set(c.id, error instanceof Error ? error.message : String(error));
      }
    }
  }
  return { seconds, errors, first };
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
        env: TORCH_ENV,
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
    const { seconds, errors } = interleaved(ctx, list, "startup");
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
    const step7 = step7Table(ctx, python.torch, notes);
    return {
      tables: [
        {
          title: `\`stepwise grade\` end to end, MNIST MLP 784-${HIDDEN}-10, ${EPOCHS} epochs`,
          header: ["contender", "wall seconds median (range)", "speed vs PyTorch (its s / ours)", "speed vs tsx"],
          rows,
        },
        step7,
      ],
      notes,
    };
  },
};

/**
 * `stepwise grade mnist-regularize --previous` against PyTorch doing the same trainings, interleaved,
 * wall seconds from spawn to exit. The CLI retrains the step-6 model (a file carries no graded run to reuse).
 */
function step7Table(ctx: BenchContext, torchReady: boolean, notes: string[]): Table {
  const before = ctx.quick ? STEP7.quickBefore : STEP7.before;
  const after = ctx.quick ? STEP7.quickAfter : STEP7.after;
  const { previous, submission } = step7Files(ctx, before, after);
  const list: Contender[] = [
    {
      id: "compiled",
      label: "`stepwise grade --previous`, compiled",
      command: [
        process.execPath,
        join(ctx.repoDir, "apps", "grader", "bin", "stepwise.mjs"),
        "grade",
        submission,
        "--exercise",
        "mnist-regularize",
        "--previous",
        previous,
        "--json",
      ],
    },
  ];
  if (torchReady) {
    list.push({
      id: "torch",
      label: "PyTorch, the same trainings, 1 thread",
      command: [
        SYSTEM_PYTHON,
        join(ctx.repoDir, "bench", "python", "grade_mnist_step7.py"),
        mnistDataDir(),
        String(before),
        String(after),
        String(STEP7.dropout),
        String(STEP7.l2),
      ],
      env: TORCH_ENV,
    });
  }
  // Exit 1 is a graded verdict that failed a check (e.g. the gap did not narrow): the work was done.
  const { seconds, errors, first } = interleaved(ctx, list, "step 7", [0, 1]);
  const torch = seconds.get("torch");
  const torchMedian = torch ? summarize(torch).median : undefined;
  const rows = list.map((c) => {
    const runs = seconds.get(c.id);
    if (!runs) return [c.label, `error: ${errors.get(c.id) ?? "no result"}`, ""];
    const s = summarize(runs);
    ctx.metrics.set(`startup.step7.${c.id}.seconds`, s.median);
    return [c.label, fmtSummary(s), ratio(torchMedian, s.median)];
  });
  const verdict = first.get("compiled");
  const testAccuracy = verdict
    ? (JSON.parse(verdict) as { metrics?: { testAccuracy?: { value?: number } } }).metrics?.testAccuracy?.value
    : undefined;
  const torchLine = first
    .get("torch")
    ?.split("\n")
    .find((l) => l.startsWith(RESULT_PREFIX));
  const torchResult = torchLine ? (JSON.parse(torchLine.slice(RESULT_PREFIX.length)) as { testAccuracy?: number }) : undefined;
  notes.push(
    `Step 7 (both sides): the step-6 model 784-512relu-512relu-10softmax for ${before} epochs on 48,000 images with loss and accuracy on the 12,000 validation images after every epoch; ` +
      `the step-7 model 784-512relu(L2 ${STEP7.l2})-dropout ${STEP7.dropout}-10softmax for ${after} epochs likewise; the final model (the step-7 model from scratch) on all 60,000 images for ${after} epochs without validation ` +
      `(the grader's \`finalEpochs\`: no early stopping, so the configured epochs); predictions on the 10,000 test images. rmsprop 1e-3, batch 128, one seed. ` +
      `The grader also records its first-epoch training evidence, the data summary and the verdict; PyTorch's script (\`python/grade_mnist_step7.py\`) only trains and evaluates. ` +
      `Test accuracy: ours ${testAccuracy === undefined ? "?" : fmt(testAccuracy)}, PyTorch ${torchResult?.testAccuracy === undefined ? "?" : fmt(torchResult.testAccuracy)}.`,
  );
  return {
    title: `\`stepwise grade --previous\`, MNIST step 7 (${before} + ${after} + ${after} epochs)`,
    header: ["contender", "wall seconds median (range)", "speed vs PyTorch (its s / ours)"],
    rows,
  };
}
