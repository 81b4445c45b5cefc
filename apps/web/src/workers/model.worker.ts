/// <reference lib="webworker" />
// Runs the student's model code in the browser, off the main thread, so a slow or endless script
// cannot freeze the page (the page terminates the worker on timeout). Nothing here reaches the server
// except the topology JSON the student chooses to submit.
import * as tf from "@tensorflow/tfjs";
import { decodePreview, type PreviewData } from "~/lib/preview-format";
import { chooseBackend } from "./backend";
import { encodeForModel, withFeatureSelection } from "./preview-encode";
import { earlyStopper, fitAugmented } from "./preview-toolbox";
import type {
  BuildResult,
  PreviewEpochMetrics,
  TrainRequest,
  TrainResult,
  WorkerLayerSummary,
  WorkerRequest,
  WorkerResponse,
} from "./protocol";

const scope = self as unknown as DedicatedWorkerGlobalScope;
let backendReady: Promise<string> | undefined;
const dataCache = new Map<string, Promise<PreviewData>>();
let training: { id: number; model: tf.LayersModel } | null = null;

const post = (message: WorkerResponse) => scope.postMessage(message);

function shapeText(shape: unknown): string {
  if (Array.isArray(shape) && shape.every((s) => s === null || typeof s === "number")) {
    return `[${shape.map((s) => (s === null ? "None" : String(s))).join(", ")}]`;
  }
  if (Array.isArray(shape)) return shape.map(shapeText).join(", ");
  return String(shape);
}

function isLayersModel(value: unknown): value is tf.LayersModel {
  return value instanceof tf.LayersModel;
}

/** Student-facing text for whatever the code threw: the message only, never a stack. */
function messageOf(error: unknown): string {
  if (error instanceof Error) return `${error.name === "Error" ? "" : `${error.name}: `}${error.message}`;
  return `Your code threw ${typeof error === "string" ? error : JSON.stringify(error)}.`;
}

async function runStudentCode(code: string): Promise<tf.LayersModel> {
  backendReady ??= chooseBackend();
  await backendReady;
  // The student's code, in their own browser, with `tf` in scope — the same contract as the editor's hint.
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const factory = new Function("tf", code) as (t: typeof tf) => unknown;
  const produced: unknown = await factory(tf);
  if (!isLayersModel(produced)) {
    throw new Error(
      "Your code must `return` a model built with tf.sequential() or tf.model(); it returned " +
        (produced === undefined ? "nothing." : typeof produced + "."),
    );
  }
  return produced;
}

async function build(code: string): Promise<BuildResult> {
  const model = await runStudentCode(code);
  try {
    const layers: WorkerLayerSummary[] = model.layers.map((layer) => ({
      name: layer.name,
      className: layer.getClassName(),
      outputShape: shapeText(layer.outputShape),
      params: layer.countParams(),
    }));
    const trainableParams = model.trainableWeights.reduce((sum, w) => sum + w.shape.reduce<number>((a, b) => a * (b ?? 1), 1), 0);
    const topology = model.toJSON(undefined, false) as unknown as Record<string, unknown>;
    return { topology, layers, totalParams: model.countParams(), trainableParams };
  } finally {
    model.dispose();
  }
}

function loadData(url: string): Promise<PreviewData> {
  let pending = dataCache.get(url);
  if (!pending) {
    pending = fetch(url, { credentials: "same-origin" }).then(async (res) => {
      if (!res.ok) {
        const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
        throw new Error(`Could not download the training data (HTTP ${res.status}): ${body?.error?.message ?? res.statusText}`);
      }
      return decodePreview(await res.arrayBuffer());
    });
    pending.catch(() => dataCache.delete(url));
    dataCache.set(url, pending);
  }
  return pending;
}

function optimizerFor(name: string, lr: number): tf.Optimizer {
  switch (name) {
    case "sgd":
      return tf.train.sgd(lr);
    case "momentum":
      return tf.train.momentum(lr, 0.9);
    case "rmsprop":
      return tf.train.rmsprop(lr);
    case "adagrad":
      return tf.train.adagrad(lr);
    case "adadelta":
      return tf.train.adadelta(lr);
    case "adamax":
      return tf.train.adamax(lr);
    default:
      return tf.train.adam(lr);
  }
}

const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

async function train(request: TrainRequest): Promise<TrainResult> {
  post({ id: request.id, type: "status", message: "Downloading the training data…" });
  const data = withFeatureSelection(await loadData(request.dataUrl), request.training.features);
  post({ id: request.id, type: "status", message: "Building your model…" });
  const model = await runStudentCode(request.code);
  const backend = tf.getBackend();
  const tensors: tf.Tensor[] = [];
  try {
    const first = model.layers.find((l) => l.getClassName() !== "InputLayer");
    const firstConfig = first?.getConfig() ?? {};
    const output = model.outputs[0]?.shape ?? [];
    const set = encodeForModel(data, {
      inputShape: model.inputs[0]?.shape ?? [],
      firstLayer: first?.getClassName() ?? "",
      embeddingInputDim: num(firstConfig.inputDim),
      loss: request.training.compile.loss,
      outputUnits: output[output.length - 1] ?? 1,
    });
    const x = tf.tensor(set.inputs, [set.n, ...set.inputShape]);
    const y = tf.tensor(set.labels, [set.n, ...set.labelShape]);
    tensors.push(x, y);
    const { compile, fit } = request.training;
    // A regression target (CSV) has no accuracy: the preview tracks the mean absolute error, scaled
    // from the standardized targets it trains on back to the target's unit, as the grader scores it.
    const regression = data.header.task === "regression";
    const unit = data.header.targetScale?.std ?? 1;
    model.compile({
      optimizer: optimizerFor(compile.optimizer, compile.learningRate),
      loss: compile.loss,
      metrics: regression ? ["mae"] : compile.metrics,
    });
    training = { id: request.id, model };
    const history: PreviewEpochMetrics[] = [];
    let started = performance.now();
    post({ id: request.id, type: "status", message: `Training on ${set.n.toLocaleString("en-US")} examples (${backend})…` });
    // Step 7's early stopping, as the grader's harness does it (preview-toolbox.ts).
    const shouldStop = earlyStopper(fit.earlyStopping);
    const onEpochEnd = (epoch: number, logs?: tf.Logs) => {
      const scaled = (v: number | undefined) => (v === undefined ? undefined : v * unit);
      const metrics: PreviewEpochMetrics = {
        epoch: epoch + 1,
        loss: num(logs?.loss) ?? Number.NaN,
        valLoss: num(logs?.val_loss),
        seconds: (performance.now() - started) / 1000,
        ...(regression
          ? { mae: scaled(num(logs?.mae)), valMae: scaled(num(logs?.val_mae)) }
          : { accuracy: num(logs?.acc) ?? num(logs?.accuracy), valAccuracy: num(logs?.val_acc) ?? num(logs?.val_accuracy) }),
      };
      started = performance.now();
      history.push(metrics);
      post({ id: request.id, type: "epoch", metrics });
      if (shouldStop(metrics.valLoss)) model.stopTraining = true;
    };
    const { augmentation } = fit;
    // Step 7's data augmentation transforms MNIST images only, as the grader does.
    if (augmentation && data.header.dataset === "mnist") await fitAugmented(tf, model, set, { ...fit, augmentation }, onEpochEnd);
    else
      await model.fit(x, y, {
        epochs: fit.epochs,
        batchSize: fit.batchSize,
        validationSplit: fit.validationSplit,
        shuffle: fit.shuffle,
        callbacks: { onEpochEnd },
      });
    return { history, metric: regression ? "mae" : "accuracy", backend, examples: set.n, stopped: history.length < fit.epochs };
  } finally {
    training = null;
    tf.dispose(tensors);
    model.dispose();
  }
}

scope.onmessage = (event: MessageEvent<WorkerRequest>) => {
  const request = event.data;
  const fail = (error: unknown) => post({ id: request.id, type: "error", message: messageOf(error) });
  switch (request.type) {
    case "build":
      build(request.code).then((result) => post({ id: request.id, type: "built", result }), fail);
      return;
    case "train":
      train(request).then((result) => post({ id: request.id, type: "trained", result }), fail);
      return;
    case "stop":
      // Takes effect at the end of the current batch; fit then resolves with the epochs so far.
      if (training) training.model.stopTraining = true;
      return;
  }
};
