/** The commands that train or read exercises locally, without the database: list, grade, debug, tune. */
import { PreconditionError, type Verdict } from "@stepwise/core/contracts";
import { listExercises } from "@stepwise/exercises";
import { gradeLocally } from "@stepwise/exercises/grading";
import { EXPERIMENTS, runExperiment } from "@stepwise/exercises/experiments";
import { solutions } from "@stepwise/exercises/solutions";
import { embeddedDefaults } from "../paths";
import { exerciseFrom, positiveInt, previousModel, seedCount } from "./args";
import { batchLine, experimentReport } from "./experiment";
import { exitCodeOf, progressLine, verdictTable } from "./format";
import { completeSubmission, readSubmission } from "./input";
import { tuneCommand } from "./tune";
import { UsageError, type Values } from "./usage";

export function list(values: Values): number {
  const rows = listExercises().map((e) => ({ id: e.id, step: e.step, dataset: e.dataset.kind, title: e.title }));
  process.stdout.write(
    values.json
      ? `${JSON.stringify(rows, null, 2)}\n`
      : rows.map((r) => `${r.id.padEnd(28)}step ${r.step}  ${r.dataset.padEnd(6)} ${r.title}`).join("\n") + "\n",
  );
  return 0;
}

export async function grade(file: string | undefined, values: Values): Promise<number> {
  if (!file) throw new UsageError("grade needs a <file>.");
  const exercise = exerciseFrom(values);
  const seeds = seedCount(values.seeds);
  const payload = readSubmission(file, exercise, values);
  const previous = previousModel(exercise, values.previous);
  const { initBackend } = await import("@stepwise/core/backend");
  const backend = await initBackend();
  const interactive = process.stderr.isTTY && !values.json;
  const verdict: Verdict = await gradeLocally(exercise, payload, {
    ...backend,
    cacheDir: embeddedDefaults().cacheDir,
    slice: { trainLimit: positiveInt("train-limit", values["train-limit"]), testLimit: positiveInt("test-limit", values["test-limit"]) },
    ...(seeds !== undefined ? { seeds } : {}),
    ...(previous ? { previous } : {}),
    onEpoch: (metrics, epochs) => {
      if (!values.json) process.stderr.write(`${interactive ? "\r" : ""}${progressLine(metrics, epochs)}${interactive ? "" : "\n"}`);
    },
  });
  if (interactive) process.stderr.write("\n");
  process.stdout.write(values.json ? `${JSON.stringify(verdict, null, 2)}\n` : `${verdictTable(verdict)}\n`);
  return exitCodeOf(verdict);
}

/** Runs one experiment of the debugging checklist on the student's model; exit 0 healthy, 1 a fault, 2 not applicable. */
export async function debug(file: string | undefined, values: Values): Promise<number> {
  if (!file) throw new UsageError("debug needs a <file>.");
  const exercise = exerciseFrom(values);
  const check = EXPERIMENTS.find((e) => e === values.check);
  if (!check)
    throw new UsageError(
      `--check must be one of ${EXPERIMENTS.join(", ")}; got ${values.check === undefined ? "nothing" : `"${values.check}"`}.`,
    );
  const payload = readSubmission(file, exercise, values);
  const { initBackend } = await import("@stepwise/core/backend");
  const { tf } = await initBackend();
  const trainLimit = positiveInt("train-limit", values["train-limit"]);
  const progress = (line: string | undefined) => {
    if (line !== undefined && !values.json) process.stderr.write(`${line}\n`);
  };
  try {
    const result = await runExperiment(check, exercise, payload, {
      tf,
      cacheDir: embeddedDefaults().cacheDir,
      ...(trainLimit !== undefined ? { trainLimit } : {}),
      onEpoch: (metrics, epochs) => progress(progressLine(metrics, epochs)),
      onBatch: (batch) => progress(batchLine(batch)),
    });
    process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : `${experimentReport(result)}\n`);
    return result.healthy ? 0 : 1;
  } catch (error) {
    // The experiment does not apply to this exercise (label-scale on classes, tiny-subset on a regression).
    if (error instanceof PreconditionError) {
      process.stderr.write(`stepwise: ${check} does not apply: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

/** Runs a declared hyperparameter search locally, as the grader's tuning job does. */
export async function tune(file: string | undefined, values: Values): Promise<number> {
  if (!file) throw new UsageError("tune needs a <search.json> file: {strategy, trials, space}.");
  const exercise = exerciseFrom(values);
  const reference = solutions[exercise.id]?.reference;
  if (values.model === undefined && !reference)
    throw new UsageError(`--model <file> is required: "${exercise.id}" has no reference model to tune.`);
  if (values.model === undefined && !values.json) process.stderr.write(`no --model: tuning the reference model of ${exercise.id}\n`);
  const payload =
    values.model !== undefined
      ? readSubmission(values.model, exercise, values)
      : completeSubmission(reference, exercise, values, `the reference model of ${exercise.id}`);
  return tuneCommand({
    searchFile: file,
    exercise,
    payload,
    json: values.json ?? false,
    slice: { trainLimit: positiveInt("train-limit", values["train-limit"]), testLimit: positiveInt("test-limit", values["test-limit"]) },
    cacheDir: embeddedDefaults().cacheDir,
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
  });
}
