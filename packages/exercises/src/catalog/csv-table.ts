import type { Budgets, ExerciseDefinition, TrainingConfig } from "@stepwise/core/contracts";
import type { CsvPreview } from "../answers/preview-csv";
import { overfitSummary, prepared, regularizeSummary } from "./csv";
import { creditData, housesData, imdbData, mnistData } from "./datasets";

/**
 * Exercises placed on a table other than their built-in one (an instructor's uploaded CSV): the
 * text, the starter model and its training settings are made from that table — its encoded width,
 * its task and its classes — never the built-in table's, whose 17 or 19 inputs the grader would
 * refuse on another table.
 */

/** What describing a table and starting a model on it needs, as the grader encodes the table (`previewCsv` gives each). */
export interface CsvTableFacts {
  file: string;
  target: string;
  task: "binary" | "multiclass" | "regression";
  /** Floats per encoded row: the model's input width. */
  inputSize: number;
  /** The encoding in words, e.g. "4 numeric columns (standardized) and 9 one-hot columns for housing". */
  encoding: string;
  /** Multiclass: the number of classes (the output layer's units); 1 otherwise. */
  classes: number;
  rows: number;
  testRows: number;
}

/** Hidden layers of a step's starter, before fitting the parameter budget: small for step 5, big for step 6, regularized for step 7. */
const HIDDEN: Record<number, { units: number[]; dropout?: number; epochs: number }> = {
  5: { units: [16], epochs: 30 },
  6: { units: [256, 256], epochs: 60 },
  7: { units: [64], dropout: 0.3, epochs: 30 },
};

const outputUnits = (table: CsvTableFacts) => (table.task === "multiclass" ? table.classes : 1);

function params(inputs: number, hidden: number[], outputs: number): number {
  let total = 0;
  let width = inputs;
  for (const units of [...hidden, outputs]) {
    total += width * units + units;
    width = units;
  }
  return total;
}

/** The step's hidden layers, halved until the model fits the parameter budget (a wide one-hot table can be thousands of columns). */
function hiddenUnits(step: number, table: CsvTableFacts, budgets: Pick<Budgets, "maxParams">): number[] {
  let units = HIDDEN[step]?.units ?? [16];
  while (units.some((u) => u > 1) && params(table.inputSize, units, outputUnits(table)) > budgets.maxParams)
    units = units.map((u) => Math.max(1, Math.floor(u / 2)));
  return units;
}

const TASK_WORDS: Record<CsvTableFacts["task"], string> = {
  binary: "one sigmoid unit for the probability of the positive class",
  multiclass: "one softmax unit per class",
  regression: "one linear unit for the (standardized) target",
};

/** `tf.layers` code of a step's starter model on the table: its input width, its output and activation per task. */
export function csvStarterCode(step: number, table: CsvTableFacts, budgets: Pick<Budgets, "maxParams">): string {
  const units = hiddenUnits(step, table, budgets);
  const dropout = HIDDEN[step]?.dropout;
  const lines = [
    `// ${table.file}: one input row of ${table.inputSize} numbers (${table.encoding}); ${TASK_WORDS[table.task]}.`,
    "const model = tf.sequential();",
    ...units.map(
      (u, i) => `model.add(tf.layers.dense({ ${i === 0 ? `inputShape: [${table.inputSize}], ` : ""}units: ${u}, activation: "relu" }));`,
    ),
    ...(dropout !== undefined ? [`model.add(tf.layers.dropout({ rate: ${dropout} }));`] : []),
    table.task === "regression"
      ? "model.add(tf.layers.dense({ units: 1 }));"
      : `model.add(tf.layers.dense({ units: ${outputUnits(table)}, activation: "${table.task === "binary" ? "sigmoid" : "softmax"}" }));`,
    "return model;",
  ];
  return `${lines.join("\n")}\n`;
}

/** A step's starter training settings for the table's task, within the exercise's epoch and batch budgets. */
export function csvStarterTraining(
  step: number,
  task: CsvTableFacts["task"],
  budgets: Pick<Budgets, "maxEpochs" | "maxBatchSize">,
): TrainingConfig {
  const loss = task === "regression" ? "meanSquaredError" : task === "binary" ? "binaryCrossentropy" : "categoricalCrossentropy";
  return {
    compile: { optimizer: "adam", learningRate: 0.003, loss, metrics: [task === "regression" ? "mae" : "accuracy"] },
    fit: {
      epochs: Math.min(HIDDEN[step]?.epochs ?? 30, budgets.maxEpochs),
      batchSize: Math.min(32, budgets.maxBatchSize),
      validationSplit: 0.2,
      shuffle: true,
    },
  };
}

function about(table: CsvTableFacts): string {
  const what =
    table.task === "regression"
      ? `the number in its \`${table.target}\` column`
      : `its \`${table.target}\` class${table.task === "multiclass" ? ` (one of ${table.classes})` : " (one of 2)"}`;
  return `Your instructor's table ${table.file} holds ${table.rows.toLocaleString("en-US")} rows; for each row you predict ${what} from the other columns.`;
}

const fmt = (x: number, metric: ExerciseDefinition["metric"]) => (metric === "mae" ? x.toLocaleString("en-US") : String(x));

/** A built-in title ("Step 5 — beat the baseline on the credit-default table") on the table instead. */
export function csvTitle(title: string, table: Pick<CsvTableFacts, "file">): string {
  const at = title.lastIndexOf(" on ");
  return at < 0 ? `${title} (${table.file})` : `${title.slice(0, at)} on ${table.file}`;
}

/** The exercise's text on the table, with the thresholds the assignment sets. */
export function csvSummary(exercise: Pick<ExerciseDefinition, "step" | "metric" | "baseline" | "target">, table: CsvTableFacts): string {
  const text = about(table);
  const inputs = table.inputSize;
  const rows = `${table.rows.toLocaleString("en-US")} rows`;
  if (exercise.step === 6) return overfitSummary(text, inputs, rows);
  if (exercise.step === 7) {
    const target =
      exercise.target === undefined
        ? "the best score you can reach"
        : `a test ${exercise.metric === "mae" ? "MAE of at most" : "accuracy of"} ${fmt(exercise.target, exercise.metric)}`;
    return regularizeSummary(text, inputs, target, rows);
  }
  const baseline =
    table.task === "regression"
      ? "Build a small regression model whose mean absolute error on the hidden test split beats always predicting the mean training value, " +
        "with statistical significance (paired one-sided t test on the per-row absolute errors, p < 0.01)."
      : "Build a small classifier whose test accuracy beats always answering the most frequent class — the majority-class rate of the hidden " +
        `test split${exercise.baseline !== undefined ? `, or ${exercise.baseline} if that is higher` : ""} — with statistical significance (one-sided binomial test, p < 0.01).`;
  return `${text} ${baseline} ${prepared(inputs, rows)}`;
}

const HINTS: Record<CsvTableFacts["task"], string> = {
  binary: "A binary classifier ends in one sigmoid unit trained with binary crossentropy.",
  multiclass: "A classifier over several classes ends in one softmax unit per class trained with categorical crossentropy.",
  regression: "A regression model ends in one unit with no activation and is trained with mean squared (or absolute) error.",
};

/**
 * The exercise as the student sees it on `table`: text, starter model, starter settings and (unless
 * the instructor wrote their own) hints made from the table. `exercise` is already placed (overrides
 * applied), so its budgets and thresholds are the assignment's.
 */
export function onCsvTable(exercise: ExerciseDefinition, table: CsvTableFacts, options: { ownHints: boolean }): ExerciseDefinition {
  const title = csvTitle(exercise.title, table);
  if (exercise.kind !== "training") {
    // Answer steps open with the built-in data's description: the table's replaces it.
    const builtIn = [mnistData, imdbData, creditData, housesData].find((data) => exercise.summary.startsWith(`${data.about} `));
    return {
      ...exercise,
      title,
      summary: `${about(table)} ${builtIn ? exercise.summary.slice(builtIn.about.length + 1) : exercise.summary}`,
    };
  }
  return {
    ...exercise,
    title,
    summary: csvSummary(exercise, table),
    starterCode: csvStarterCode(exercise.step, table, exercise.budgets),
    starterTraining: csvStarterTraining(exercise.step, table.task, exercise.budgets),
    hints: options.ownHints ? exercise.hints : [HINTS[table.task]],
  };
}

/** The facts of a table as the instructor's preview computes them (`previewCsv`), as this module needs them. */
export function tableFacts(
  preview: Pick<CsvPreview, "file" | "target" | "task" | "inputSize" | "encoding" | "classes" | "rows" | "testRows">,
): CsvTableFacts {
  return {
    file: preview.file,
    target: preview.target,
    task: preview.task,
    inputSize: preview.inputSize,
    encoding: preview.encoding,
    classes: preview.classes?.length ?? 1,
    rows: preview.rows,
    testRows: preview.testRows,
  };
}
