import type { EpochMetrics, ExerciseDefinition, SubmissionPayload, TrainingConfig } from "@stepwise/core/contracts";
import { ValidationError } from "@stepwise/core/contracts";
import type { Tf } from "@stepwise/core/backend";
import type { ExampleSet } from "@stepwise/core/datasets";
import type { JsonObject } from "@stepwise/core/model";
import { train } from "@stepwise/core/training";
import { binomialTestGreater } from "@stepwise/core/verify";
import { loadTrainingData } from "../grading/data";
import { prepareTraining, type PreparedTraining } from "../grading/prepare";
import { tinySubset, withLabelAsInput, withShuffledLabels } from "./sets";

/** The debugging checklist's experiments a student can run on their own model and the grader's data. */
export const EXPERIMENTS = ["tiny-subset", "shuffled-labels", "label-as-input"] as const;
export type ExperimentName = (typeof EXPERIMENTS)[number];

export interface ExperimentResult {
  experiment: ExperimentName;
  /** A short code for what was found, e.g. "fits", "cannot-fit", "leak", "no-leak", "pipeline-ok", "pipeline-broken". */
  outcome: string;
  /** Whether the finding is the healthy one. */
  healthy: boolean;
  message: string;
  history: EpochMetrics[];
}

export interface ExperimentOptions {
  tf: Tf;
  cacheDir?: string;
  /** Examples of the training split to use (small: experiments are quick checks). */
  trainLimit?: number;
  onEpoch?: (metrics: EpochMetrics, epochs: number) => void;
}

const last = (history: EpochMetrics[]) => history.at(-1);
const pct = (x: number | undefined) => (x === undefined ? "—" : `${(x * 100).toFixed(1)}%`);

function fit(training: TrainingConfig, changes: Partial<TrainingConfig["fit"]>): TrainingConfig {
  return { ...training, fit: { ...training.fit, ...changes } };
}

/** The topology with its (flat) input widened by `extra` features; null when the input is not flat. */
function widenInput(prepared: PreparedTraining, extra: number): JsonObject | null {
  const copy = structuredClone(prepared.topology) as { config?: { layers?: { class_name: string; config: Record<string, unknown> }[] } };
  const first = copy.config?.layers?.[0];
  const shape = first?.config.batch_input_shape;
  if (!first || first.class_name !== "Dense" || !Array.isArray(shape) || shape.length !== 2 || typeof shape[1] !== "number") return null;
  first.config.batch_input_shape = [null, shape[1] + extra];
  return copy as JsonObject;
}

async function trainOn(tf: Tf, prepared: PreparedTraining, set: ExampleSet, training: TrainingConfig, seed: number, options: ExperimentOptions, topology = prepared.topology as JsonObject) {
  const { report, model } = await train(tf, {
    topology,
    training,
    train: set,
    task: prepared.task,
    seed,
    onEpoch: (m, _e, epochs) => options.onEpoch?.(m, epochs),
  });
  model.dispose();
  return report.history;
}

/**
 * Runs one experiment on the student's model with the grader's training data, seeded. Never touches
 * test data: every conclusion comes from training and validation curves.
 */
export async function runExperiment(name: ExperimentName, exercise: ExerciseDefinition, payload: SubmissionPayload, options: ExperimentOptions): Promise<ExperimentResult> {
  const prepared = prepareTraining(exercise, payload, exercise.seed);
  const seed = exercise.seed;
  const { train: full } = loadTrainingData(prepared.dataset, { slice: { trainLimit: options.trainLimit ?? 2_000, testLimit: 10 }, seed, cacheDir: options.cacheDir });
  const classes = Math.max(2, prepared.task.numClasses);
  switch (name) {
    case "tiny-subset": {
      const history = await trainOn(options.tf, prepared, tinySubset(full, 100, seed), fit(prepared.training, { epochs: 60, batchSize: 20, validationSplit: 0 }), seed, options);
      const accuracy = last(history)?.accuracy ?? 0;
      const fits = accuracy >= 0.99;
      return {
        experiment: name,
        outcome: fits ? "fits" : "cannot-fit",
        healthy: fits,
        history,
        message: fits
          ? `Your model fits 100 training examples to ${pct(accuracy)} accuracy: it can learn, so look at capacity, regularization and data size next.`
          : `After 60 epochs on just 100 examples your model reaches only ${pct(accuracy)} training accuracy. A model that cannot memorize 100 examples has a bug (last-layer activation, loss, learning rate) or far too little capacity.`,
      };
    }
    case "shuffled-labels": {
      const history = await trainOn(options.tf, prepared, withShuffledLabels(full, seed + 1), fit(prepared.training, { validationSplit: 0.25 }), seed, options);
      const valAccuracy = last(history)?.valAccuracy ?? 0;
      const n = Math.round(full.n * 0.25);
      const chance = 1 / classes;
      const p = binomialTestGreater(Math.round(valAccuracy * n), n, Math.min(0.99, chance + 0.05));
      const leak = p < 0.01;
      return {
        experiment: name,
        outcome: leak ? "leak" : "no-leak",
        healthy: !leak,
        history,
        message: leak
          ? `With the labels shuffled your model still scores ${pct(valAccuracy)} on validation data, well above chance (${pct(chance)}): something other than the inputs carries the answer — look for a leak in the pipeline.`
          : `With the labels shuffled validation accuracy falls to ${pct(valAccuracy)}, near chance (${pct(chance)}): no leak — what your model learns on real labels comes from the inputs.`,
      };
    }
    case "label-as-input": {
      const extra = classes > 2 ? classes : 1;
      const topology = widenInput(prepared, extra);
      if (!topology) {
        throw new ValidationError("Label as input needs a model whose first layer is a Dense layer on a flat input; this model's input is not flat.", "model");
      }
      const history = await trainOn(options.tf, prepared, withLabelAsInput(full, extra), fit(prepared.training, { epochs: Math.max(prepared.training.fit.epochs, 30), validationSplit: 0 }), seed, options, topology);
      const accuracy = last(history)?.accuracy ?? 0;
      const ok = accuracy >= 0.97;
      return {
        experiment: name,
        outcome: ok ? "pipeline-ok" : "pipeline-broken",
        healthy: ok,
        history,
        message: ok
          ? `Given the answer as an input, your model reaches ${pct(accuracy)} training accuracy: the pipeline (loss, last activation, label encoding) works; remaining trouble is capacity or data.`
          : `Even with the answer appended to its inputs your model reaches only ${pct(accuracy)} training accuracy. The fault is in the pipeline, not in capacity: check that the last activation fits the loss (softmax with categorical crossentropy, sigmoid with binary crossentropy) and the learning rate.`,
      };
    }
  }
}
