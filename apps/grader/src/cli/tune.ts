/**
 * `stepwise tune <search.json> --exercise <id> [--model <file>]`: runs a declared hyperparameter
 * search locally, exactly as the grader's tuning job does (same data slices, seeds and selection on
 * validation), with per-trial progress on stderr and a table (or `--json`, the `TuningResult`) on
 * stdout. Locally there is no database, so no compute budget and no test-evaluation limit apply.
 */
import { readFileSync } from "node:fs";
import { ValidationError, type DataSlice, type ExerciseDefinition, type SubmissionPayload } from "@stepwise/core/contracts";
import {
  checkTuning,
  HYPERPARAMETERS,
  MAX_TUNING_TRIALS,
  trialLabel,
  tuneLocally,
  TuningSearch,
  type Hyperparameter,
  type TuningResult,
} from "@stepwise/exercises/tuning";
import { progressLine } from "./format";

const NAMES: Record<Hyperparameter, string> = { learningRate: "learning rate", units: "units", layers: "layers", dropout: "dropout" };

/** The value at a zod issue's path inside the parsed file, for "got …". */
function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const key of path) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

const shown = (value: unknown) => (value === undefined ? "nothing" : JSON.stringify(value).slice(0, 120));

/** Reads and checks a search file; every problem names the file, the path inside it, what was expected and what came. */
export function readSearch(file: string): TuningSearch {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new ValidationError(`${file}: not readable JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const parsed = TuningSearch.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue?.path ?? [];
  const where = path.length ? path.map(String).join(".") : "(top level)";
  const got =
    issue?.code === "unrecognized_keys"
      ? `the key${issue.keys.length === 1 ? "" : "s"} ${issue.keys.map((k) => `"${k}"`).join(", ")}`
      : shown(valueAt(raw, path));
  throw new ValidationError(`${file}: ${where}: ${issue?.message ?? "invalid search"}; got ${got}`, where);
}

const num = (x: number | null | undefined, digits = 4) => (x === null || x === undefined ? "—" : x.toFixed(digits));
const value = (x: number | undefined) => (x === undefined ? "—" : String(x));

/** Every trial in a table (the searched hyperparameters as columns), the selected one marked with `*`. */
export function tuningTable(exerciseId: string, result: TuningResult): string {
  const dims = HYPERPARAMETERS.filter((k) => result.search.space[k] !== undefined);
  const metric = result.metric.name === "accuracy" ? "val acc" : "val loss";
  const header = ["", "#", ...dims.map((d) => NAMES[d]), metric, "epoch", "gap", "seconds", "status"];
  const rows = result.trials.map((t) => [
    t.index === result.selected ? "*" : "",
    String(t.index),
    ...dims.map((d) => value(t.values[d])),
    num(t.validation),
    t.bestEpoch === null ? "—" : String(t.bestEpoch),
    num(t.gap),
    t.seconds.toFixed(1),
    t.status + (t.reason ? `: ${t.reason}` : ""),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (i === header.length - 1 ? 0 : (r[i] ?? "").length))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  const lines = [
    `Tuning ${exerciseId}: ${result.search.strategy} search, ${result.trials.length} trial(s), selected on ${result.metric.split} ${result.metric.name} only`,
    "",
    line(header),
    ...rows.map(line),
    "",
  ];
  const selected = result.trials.find((t) => t.index === result.selected);
  const final = result.final;
  if (final.status === "evaluated" && selected) {
    const label = trialLabel({ index: selected.index, total: result.trials.length, values: selected.values }).replace(
      /^trial (\d+) of \d+: /,
      "trial $1, ",
    );
    const test =
      final.metric === "accuracy"
        ? `test accuracy ${final.test.toFixed(4)}${final.interval ? ` (${Math.round(final.interval.level * 100)}% CI ${final.interval.lower.toFixed(3)}–${final.interval.upper.toFixed(3)})` : ""}`
        : `test MAE ${final.test.toPrecision(4)}`;
    lines.push(
      `Selected on validation: ${label}; retrained on train+validation (${final.trainExamples.toLocaleString("en-US")} examples, ${final.epochs} epoch${final.epochs === 1 ? "" : "s"}); ${test} on ${final.testExamples.toLocaleString("en-US")} test examples, evaluated once.`,
    );
  } else {
    lines.push(
      selected
        ? `Selected on validation: trial ${selected.index}. ${final.status === "not_run" ? final.reason : ""}`
        : final.status === "not_run"
          ? final.reason
          : "",
    );
  }
  lines.push(
    `backend ${result.backend} · seeds: training ${result.seeds.training}, split ${result.seeds.split}, search ${result.seeds.search} · ${(result.durationMs / 1000).toFixed(1)} s`,
  );
  return lines.join("\n");
}

export interface TuneCommandInput {
  searchFile: string;
  exercise: ExerciseDefinition;
  payload: SubmissionPayload;
  json: boolean;
  slice: Partial<DataSlice>;
  cacheDir: string;
  out: (text: string) => void;
  err: (text: string) => void;
}

/** Exit codes: 0 the selected configuration was evaluated on test, 1 it was not (no trial scored), 2 invalid, 3 grader error. */
export async function tuneCommand(input: TuneCommandInput): Promise<number> {
  const search = readSearch(input.searchFile);
  // A search the model or the exercise cannot take is refused before TF.js loads.
  checkTuning(input.exercise, input.payload, search, MAX_TUNING_TRIALS);
  const { initBackend } = await import("@stepwise/core/backend");
  const { tf } = await initBackend();
  const quiet = input.json;
  const slice = Object.fromEntries(Object.entries(input.slice).filter(([, v]) => v !== undefined)) as Partial<DataSlice>;
  const result = await tuneLocally(input.exercise, input.payload, search, {
    tf,
    maxTrials: MAX_TUNING_TRIALS,
    cacheDir: input.cacheDir,
    slice,
    onTrialStart: (info) => {
      if (!quiet) input.err(`${trialLabel(info)}\n`);
    },
    onEpoch: (metrics, epochs) => {
      if (!quiet) input.err(`  ${progressLine(metrics, epochs)}\n`);
    },
    onTrial: (trial, total) => {
      if (quiet) return;
      const score =
        trial.validation === null ? trial.status : `best validation ${num(trial.validation)} at epoch ${trial.bestEpoch ?? "—"}`;
      input.err(`  trial ${trial.index} of ${total}: ${score}${trial.reason ? ` — ${trial.reason}` : ""}\n`);
    },
    onFinal: () => {
      if (!quiet) input.err("final model: retraining the selected configuration on train+validation, then one evaluation on test\n");
    },
  });
  input.out(input.json ? `${JSON.stringify(result, null, 2)}\n` : `${tuningTable(input.exercise.id, result)}\n`);
  return result.final.status === "evaluated" ? 0 : 1;
}
