/**
 * The experiment half of the training child (`child.ts` dispatches here): runs one debugging
 * experiment, or one trial of a tuning search, on the student's validated model with training
 * examples only; the child then waits for its next run.
 */
import { BudgetError, PreconditionError, ValidationError } from "@stepwise/core/contracts";
import type { BackendInfo } from "@stepwise/core/backend";
import { loadTrainingData } from "@stepwise/exercises/grading";
import { runExperimentOn } from "@stepwise/exercises/experiments";
import { trainTrial } from "@stepwise/exercises/tuning";
import { ExperimentRequest, TuneTrialRequest, type ChildMessage, type TrialResult } from "./protocol";

/** Whether a message from the worker asks for an experiment or a tuning trial (anything else is a training request). */
export function isExperimentRequest(raw: unknown): boolean {
  const type = typeof raw === "object" && raw !== null ? (raw as { type?: unknown }).type : undefined;
  return type === "experiment" || type === "tune-trial";
}

type Tools = { warming: Promise<BackendInfo>; send: (message: ChildMessage) => Promise<void> };

/**
 * One tuning trial: training examples only (`loadTrainingData` never reads test labels, and a CSV
 * arrives encoded by the parent with its test labels left behind), a hold-out validation split drawn
 * with the exercise's seed. The model is discarded; its curves go back.
 */
async function runTuneTrial(raw: unknown, tools: Tools): Promise<ChildMessage> {
  const parsed = TuneTrialRequest.safeParse(raw);
  if (!parsed.success) return { type: "error", message: `malformed tuning trial request: ${parsed.error.issues[0]?.message ?? "?"}` };
  const request = parsed.data;
  const { tf, backend, tfjsVersion } = await tools.warming;
  await tools.send({ type: "ready", backend, tfjsVersion });
  const { train } = loadTrainingData(request.dataset, {
    slice: { ...request.data, testLimit: 10 },
    seed: request.dataSeed,
    cacheDir: request.cacheDir,
    ...(request.csv ? { csv: request.csv } : {}),
    ...(request.scaling ? { scaling: request.scaling } : {}),
  });
  const report = await trainTrial(tf, {
    // Parsed by the parent (parseModelSpec, via prepareTraining) before it crossed into this process.
    prepared: { topology: request.topology, training: request.training, task: request.task },
    selection: { train },
    seed: request.seed,
    splitSeed: request.dataSeed,
    maxSeconds: request.maxSeconds,
    onEpoch: (metrics, epochs) => void tools.send({ type: "epoch", metrics, epochs }),
  });
  const result: TrialResult = { report: { ...report, backend, tfjsVersion }, trainExamples: train.n };
  return { type: "experiment-done", result };
}

export async function runExperimentRequest(raw: unknown, tools: Tools): Promise<ChildMessage> {
  if (typeof raw === "object" && raw !== null && (raw as { type?: unknown }).type === "tune-trial") return runTuneTrial(raw, tools);
  const parsed = ExperimentRequest.safeParse(raw);
  if (!parsed.success) return { type: "error", message: `malformed experiment request: ${parsed.error.issues[0]?.message ?? "?"}` };
  const request = parsed.data;
  const { tf, backend, tfjsVersion } = await tools.warming;
  await tools.send({ type: "ready", backend, tfjsVersion });
  try {
    // Training examples only: `loadTrainingData` never reads test labels, and a CSV arrives encoded
    // by the parent with its test labels left behind.
    const { train } = loadTrainingData(request.dataset, {
      slice: { trainLimit: request.trainLimit, testLimit: 10 },
      seed: request.seed,
      cacheDir: request.cacheDir,
      ...(request.csv ? { csv: request.csv } : {}),
      ...(request.scaling ? { scaling: request.scaling } : {}),
    });
    const result = await runExperimentOn(request.experiment, {
      tf,
      prepared: {
        dataset: request.dataset,
        topology: request.topology,
        training: request.training,
        summary: request.summary,
        task: request.task,
      },
      train,
      seed: request.seed,
      maxSeconds: request.maxSeconds,
      ...(request.csv?.targetScale ? { targetScale: request.csv.targetScale } : {}),
      ...(request.featureNames ? { featureNames: request.featureNames } : {}),
      onEpoch: (metrics, epochs) => void tools.send({ type: "epoch", metrics, epochs }),
    });
    return { type: "experiment-done", result };
  } catch (error) {
    // The experiment does not apply to this model or task (label-scale on classes, label-as-input on
    // images): the student's answer, not a grader fault.
    if (error instanceof PreconditionError || error instanceof ValidationError || error instanceof BudgetError) {
      return { type: "invalid", message: error.message.slice(0, 4000) };
    }
    throw error;
  }
}
