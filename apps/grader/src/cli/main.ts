/**
 * `stepwise`: list exercises, grade a model locally exactly as the grader does, enqueue a submission
 * through the same path as the web app, and list jobs. Exit codes are documented in `format.ts`.
 */
import { parseArgs } from "node:util";
import { BudgetError, PreconditionError, StepwiseError, ValidationError, type Verdict } from "@stepwise/core/contracts";
import { assignmentPlace, findExercise, listExercises } from "@stepwise/exercises";
import { gradeLocally, prepareTraining } from "@stepwise/exercises/grading";
import { assertStepOpen, coursesForUser, assignmentsForCourse, createSubmissionWithJob, jobsOverview, migrate, openDb, userByEmail } from "@stepwise/db";
import { embeddedDefaults } from "../paths";
import { exitCodeOf, progressLine, verdictTable } from "./format";
import { completeSubmission, readSubmission } from "./input";
import { EXPERIMENTS, runExperiment } from "@stepwise/exercises/experiments";
import { solutions } from "@stepwise/exercises/solutions";
import { batchLine, experimentReport } from "./experiment";
import { JOB_SECTIONS, jobsText } from "./jobs";
import { newCommand } from "./new";
import { ProgressUsageError, progressText, studentProgress } from "./progress";
import { tuneCommand } from "./tune";
import { validateCommand } from "./validate";

const USAGE = `Usage:
  stepwise list [--json]
  stepwise grade <file> --exercise <id> [--json] [--epochs N] [--batch-size N] [--optimizer NAME] [--lr X] [--loss NAME]
                 [--train-limit N] [--test-limit N] [--seeds N] [--previous <step-6 file>]
  stepwise submit <file> --exercise <id> [--student EMAIL]
  stepwise jobs [--json] [--course <id>] [--status queued|running|dead]
  stepwise progress --student EMAIL [--course <id>] [--json]
  stepwise debug <file> --exercise <id> --check <experiment> [--json] [--train-limit N]
                 <experiment>: ${EXPERIMENTS.join(", ")}
  stepwise tune <search.json> --exercise <id> [--model <file>] [--json] [--train-limit N] [--test-limit N]
  stepwise validate <course-dir>
  stepwise new exercise <NN-name.yaml> [--exercise <id>]
  stepwise new course <dir>

<file> is a submission JSON ({exerciseId, model, training}) or a bare TF.js/Keras model JSON.
submit exits 2 when the step is locked for the student (guided course), saying what to pass first.
grade exits 0 passed, 1 failed, 2 invalid, 3 grader error; debug exits 0 healthy, 1 a fault found, 2 invalid or
not applicable to the exercise, 3 grader error; tune exits 0 when the selected configuration was evaluated on test,
1 when it was not, 2 invalid, 3 grader error (without --model it tunes the exercise's reference model); validate exits 0 valid, 2 invalid. DATABASE_URL selects the database (SQLite file by default).`;

class UsageError extends Error {}

const options = {
  json: { type: "boolean" },
  exercise: { type: "string" },
  epochs: { type: "string" },
  "batch-size": { type: "string" },
  optimizer: { type: "string" },
  lr: { type: "string" },
  loss: { type: "string" },
  "train-limit": { type: "string" },
  "test-limit": { type: "string" },
  seeds: { type: "string" },
  student: { type: "string" },
  status: { type: "string" },
  check: { type: "string" },
  previous: { type: "string" },
  model: { type: "string" },
  course: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true }>>["values"];

function exerciseFrom(values: Values) {
  if (!values.exercise) throw new UsageError("--exercise <id> is required; `stepwise list` shows the ids.");
  const exercise = findExercise(values.exercise);
  if (!exercise) throw new UsageError(`Unknown exercise "${values.exercise}"; expected one of: ${listExercises().map((e) => e.id).join(", ")}.`);
  return exercise;
}

const positiveInt = (name: string, value: string | undefined) => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 10) throw new UsageError(`--${name} must be an integer ≥ 10, got "${value}".`);
  return n;
};

/** `--seeds N`: train the model with N training seeds (1–10), as an assignment with `seeds: N` does. */
const seedCount = (value: string | undefined) => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 10) throw new UsageError(`--seeds must be an integer from 1 to 10, got "${value}".`);
  return n;
};

/**
 * Step 7 is graded against the student's step-6 model, as the grader does with their step-6
 * submission: `--previous` names that file (a submission JSON, or a bare model with the step-6
 * exercise's starter settings).
 */
function previousModel(exercise: NonNullable<ReturnType<typeof findExercise>>, file: string | undefined) {
  if (exercise.kind !== "training" || exercise.step !== 7) {
    if (file !== undefined) throw new UsageError(`--previous applies to step 7 only; ${exercise.id} is step ${exercise.step}.`);
    return undefined;
  }
  if (file === undefined) throw new UsageError(`${exercise.id} compares your model with your step-6 model: pass it with --previous <file>.`);
  const overfit = listExercises().find((e) => e.step === 6 && JSON.stringify(e.dataset) === JSON.stringify(exercise.dataset)) ?? exercise;
  return readSubmission(file, overfit, {});
}

async function grade(file: string | undefined, values: Values): Promise<number> {
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

async function withDb<T>(run: (db: Awaited<ReturnType<typeof openDb>>) => Promise<T>): Promise<T> {
  const db = await openDb(process.env.DATABASE_URL ?? embeddedDefaults().databaseUrl);
  try {
    await migrate(db);
    return await run(db);
  } finally {
    await db.close();
  }
}

async function submit(file: string | undefined, values: Values): Promise<number> {
  if (!file) throw new UsageError("submit needs a <file>.");
  const exercise = exerciseFrom(values);
  const payload = readSubmission(file, exercise, values);
  // The same checks as the web app's submission.create, before anything is stored; answers are graded by the grader.
  if (exercise.kind === "training") prepareTraining(exercise, payload, exercise.seed);
  return withDb(async (db) => {
    const email = values.student ?? "student@stepwise.test";
    const student = await userByEmail(db, email);
    if (!student) throw new UsageError(`No user with email ${email}.`);
    for (const course of await coursesForUser(db, student.id)) {
      const assignment = (await assignmentsForCourse(db, course.id)).find((a) => a.exerciseId === exercise.id);
      if (!assignment) continue;
      // The web app's gate: a step locked in a guided course refuses before anything is stored.
      await assertStepOpen(db, { assignment, userId: student.id, locate: assignmentPlace, now: Date.now() });
      // As the grader will place the exercise for this student (a guided project's IMDB vocabulary, say).
      await (await import("./placed")).checkAsPlaced(db, { exercise, assignment, userId: student.id, payload, now: Date.now() });
      const { submission, job } = await createSubmissionWithJob(
        db,
        { assignmentId: assignment.id, userId: student.id, exerciseId: exercise.id, payload },
        Date.now(),
      );
      process.stdout.write(`${values.json ? JSON.stringify({ submissionId: submission.id, jobId: job.id }) : submission.id}\n`);
      return 0;
    }
    throw new UsageError(`${email} is enrolled in no course with an assignment of "${exercise.id}".`);
  });
}

/** Every project's seven steps with state and lock reason, from the workflow engine. */
async function progress(values: Values): Promise<number> {
  if (!values.student) throw new UsageError("progress needs --student <email>.");
  const email = values.student;
  return withDb(async (db) => {
    try {
      const courses = await studentProgress(db, { email, now: Date.now(), ...(values.course !== undefined ? { courseId: values.course } : {}) });
      process.stdout.write(values.json ? `${JSON.stringify(courses, null, 2)}\n` : `${progressText(courses)}\n`);
      return 0;
    } catch (error) {
      if (error instanceof ProgressUsageError) throw new UsageError(error.message);
      throw error;
    }
  });
}

async function jobs(values: Values): Promise<number> {
  const section = JOB_SECTIONS.find((s) => s === values.status);
  if (values.status !== undefined && !section) throw new UsageError(`--status must be one of ${JOB_SECTIONS.join(", ")}; got "${values.status}".`);
  const sections = section ? [section] : JOB_SECTIONS;
  return withDb(async (db) => {
    const overview = await jobsOverview(db, { ...(values.course ? { courseId: values.course } : {}), now: Date.now() });
    if (values.json) {
      const picked = { queued: sections.includes("queued") ? overview.queued : [], running: sections.includes("running") ? overview.running : [], failures: sections.includes("dead") ? overview.failures : [] };
      process.stdout.write(`${JSON.stringify(picked, null, 2)}\n`);
      return 0;
    }
    process.stdout.write(`${jobsText(overview, sections)}\n`);
    return 0;
  });
}

/** Runs one experiment of the debugging checklist on the student's model; exit 0 healthy, 1 a fault, 2 not applicable. */
async function debug(file: string | undefined, values: Values): Promise<number> {
  if (!file) throw new UsageError("debug needs a <file>.");
  const exercise = exerciseFrom(values);
  const check = EXPERIMENTS.find((e) => e === values.check);
  if (!check) throw new UsageError(`--check must be one of ${EXPERIMENTS.join(", ")}; got ${values.check === undefined ? "nothing" : `"${values.check}"`}.`);
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
async function tune(file: string | undefined, values: Values): Promise<number> {
  if (!file) throw new UsageError("tune needs a <search.json> file: {strategy, trials, space}.");
  const exercise = exerciseFrom(values);
  const reference = solutions[exercise.id]?.reference;
  if (values.model === undefined && !reference) throw new UsageError(`--model <file> is required: "${exercise.id}" has no reference model to tune.`);
  if (values.model === undefined && !values.json) process.stderr.write(`no --model: tuning the reference model of ${exercise.id}\n`);
  const payload = values.model !== undefined ? readSubmission(values.model, exercise, values) : completeSubmission(reference, exercise, values, `the reference model of ${exercise.id}`);
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

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  const [command, file] = positionals;
  // Asking for help is a success; a bare `stepwise` is a usage mistake.
  if (values.help || !command) {
    process.stdout.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  switch (command) {
    case "list": {
      const rows = listExercises().map((e) => ({ id: e.id, step: e.step, dataset: e.dataset.kind, title: e.title }));
      process.stdout.write(values.json ? `${JSON.stringify(rows, null, 2)}\n` : rows.map((r) => `${r.id.padEnd(28)}step ${r.step}  ${r.dataset.padEnd(6)} ${r.title}`).join("\n") + "\n");
      return 0;
    }
    case "grade":
      return grade(file, values);
    case "submit":
      return submit(file, values);
    case "jobs":
      return jobs(values);
    case "progress":
      return progress(values);
    case "debug":
      return debug(file, values);
    case "tune":
      return tune(file, values);
    case "validate":
      return validateCommand(file, (line) => process.stdout.write(`${line}\n`), (line) => process.stderr.write(`${line}\n`));
    case "new":
      return newCommand(file, positionals[2], { exercise: values.exercise }, (line) => process.stdout.write(`${line}\n`), (line) => process.stderr.write(`${line}\n`));
    default:
      throw new UsageError(`Unknown command "${command}".`);
  }
}

const argv = process.argv.slice(2);
// Asked for JSON, a script reads stdout: every failure is JSON there too, with the exit code.
const wantsJson = argv.includes("--json");

function fail(kind: "usage" | "refused" | "invalid" | "grader", message: string, exitCode: number, withUsage = false): never {
  if (wantsJson) process.stdout.write(`${JSON.stringify({ error: { kind, message, exitCode } })}\n`);
  const prefix = kind === "usage" ? "" : kind === "grader" ? "grader error: " : `${kind}: `;
  process.stderr.write(`stepwise: ${prefix}${message}\n${withUsage ? `\n${USAGE}\n` : ""}`);
  process.exit(exitCode);
}

main(argv)
  .then((code) => process.exit(code))
  .catch((error: unknown) => {
    if (error instanceof UsageError || (error instanceof TypeError && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS"))) {
      fail("usage", error.message, 2, true);
    }
    if (error instanceof PreconditionError) fail("refused", error.message, 2);
    if (error instanceof ValidationError || error instanceof BudgetError) fail("invalid", error.message, 2);
    fail("grader", error instanceof StepwiseError || error instanceof Error ? error.message : String(error), 3);
  });
