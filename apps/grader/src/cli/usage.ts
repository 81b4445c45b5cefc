import type { parseArgs } from "node:util";

/**
 * What `stepwise` parses before it loads anything heavy: the flags, the usage text and the usage
 * error. A mistyped command or `--help` answers without TF.js, the database drivers or the exercises.
 */

export class UsageError extends Error {}

export const options = {
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

export type Values = ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true }>>["values"];

/** The usage text; `experiments` lists the debugging checklist's experiment names. */
export const usage = (experiments: readonly string[]) => `Usage:
  stepwise list [--json]
  stepwise grade <file> --exercise <id> [--json] [--epochs N] [--batch-size N] [--optimizer NAME] [--lr X] [--loss NAME]
                 [--train-limit N] [--test-limit N] [--seeds N] [--previous <step-6 file>]
  stepwise submit <file> --exercise <id> [--student EMAIL]
  stepwise jobs [--json] [--course <id>] [--status queued|running|dead]
  stepwise progress --student EMAIL [--course <id>] [--json]
  stepwise debug <file> --exercise <id> --check <experiment> [--json] [--train-limit N]
                 <experiment>: ${experiments.join(", ")}
  stepwise tune <search.json> --exercise <id> [--model <file>] [--json] [--train-limit N] [--test-limit N]
  stepwise validate <course-dir>
  stepwise new exercise <NN-name.yaml> [--exercise <id>]
  stepwise new course <dir>

<file> is a submission JSON ({exerciseId, model, training}) or a bare TF.js/Keras model JSON.
submit exits 2 when the step is locked for the student (guided course), saying what to pass first.
grade exits 0 passed, 1 failed, 2 invalid, 3 grader error; debug exits 0 healthy, 1 a fault found, 2 invalid or
not applicable to the exercise, 3 grader error; tune exits 0 when the selected configuration was evaluated on test,
1 when it was not, 2 invalid, 3 grader error (without --model it tunes the exercise's reference model); validate exits 0 valid, 2 invalid. DATABASE_URL selects the database (SQLite file by default).`;
