/// <reference lib="webworker" />
// Runs the student's model code in the browser, off the main thread, so a slow or endless script
// cannot freeze the page (the page terminates the worker on timeout). Nothing here reaches the server
// except the topology JSON the student chooses to submit.
import * as tf from "@tensorflow/tfjs";
import type { BuildRequest, BuildResult, WorkerLayerSummary, WorkerResponse } from "./protocol";

const scope = self as unknown as DedicatedWorkerGlobalScope;
let backendReady: Promise<boolean> | undefined;

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

async function build(code: string): Promise<BuildResult> {
  backendReady ??= tf.setBackend("cpu");
  await backendReady;
  // The student's code, in their own browser, with `tf` in scope — the same contract as the editor's hint.
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const factory = new Function("tf", code) as (t: typeof tf) => unknown;
  const produced: unknown = await factory(tf);
  if (!isLayersModel(produced)) {
    throw new Error("Your code must `return` a model built with tf.sequential() or tf.model(); it returned " + (produced === undefined ? "nothing." : typeof produced + "."));
  }
  try {
    const layers: WorkerLayerSummary[] = produced.layers.map((layer) => ({
      name: layer.name,
      className: layer.getClassName(),
      outputShape: shapeText(layer.outputShape),
      params: layer.countParams(),
    }));
    const trainableParams = produced.trainableWeights.reduce((sum, w) => sum + w.shape.reduce<number>((a, b) => a * (b ?? 1), 1), 0);
    const topology = produced.toJSON(undefined, false) as unknown as Record<string, unknown>;
    return { topology, layers, totalParams: produced.countParams(), trainableParams };
  } finally {
    produced.dispose();
  }
}

scope.onmessage = (event: MessageEvent<BuildRequest>) => {
  const { id, code } = event.data;
  build(code).then(
    (result) => scope.postMessage({ id, type: "built", result } satisfies WorkerResponse),
    (error: unknown) => scope.postMessage({ id, type: "error", message: messageOf(error) } satisfies WorkerResponse),
  );
};
