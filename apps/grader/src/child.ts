/**
 * The training child: one run at a time, for as many runs as the worker's pool gives it. It gets
 * a validated topology, training data and test *inputs*; it returns per-epoch metrics and test
 * predictions. It never sees test labels.
 */
import { StepwiseError, ValidationError } from "@stepwise/core/contracts";
import { initBackend } from "@stepwise/core/backend";
import type { JsonObject } from "@stepwise/core/model";
import { trainAndPredict } from "@stepwise/exercises/grading";
import { isExperimentRequest, runExperimentRequest } from "./experiment-child";
import { TrainRequest, type ChildMessage } from "./protocol";

const send = (message: ChildMessage) =>
  new Promise<void>((resolve) => {
    if (!process.send) return resolve();
    process.send(message, undefined, undefined, () => resolve());
  });

// Start loading TF.js and compiling the backend before the job arrives (the worker keeps warm children).
const preferred = TrainRequest.shape.backend.safeParse(process.argv[2]);
const warming = initBackend(preferred.success && preferred.data !== "auto" ? { prefer: [preferred.data] } : {});
warming.catch(() => undefined);

/**
 * The training budget's clock: this process's CPU time, ms. Wall time would count whatever else the
 * grader's machine is doing against the student; CPU time is what the model itself costs.
 */
const cpuClock = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

async function run(raw: unknown): Promise<ChildMessage> {
  const parsed = TrainRequest.safeParse(raw);
  if (!parsed.success) return { type: "error", message: `malformed training request: ${parsed.error.issues[0]?.message ?? "?"}` };
  const request = parsed.data;
  const { tf, backend, tfjsVersion } = await warming;
  await send({ type: "ready", backend, tfjsVersion });

  const result = await trainAndPredict(tf, {
    // Parsed by the parent (parseModelSpec) before it crossed into this process.
    topology: request.topology as JsonObject,
    training: request.training,
    dataset: request.dataset,
    slice: request.data,
    task: request.task,
    seed: request.seed,
    dataSeed: request.dataSeed,
    maxSeconds: request.maxSeconds,
    now: cpuClock,
    cacheDir: request.cacheDir,
    ...(request.csv ? { csv: request.csv } : {}),
    ...(request.scaling ? { scaling: request.scaling } : {}),
    backend,
    tfjsVersion,
    onEpoch: (metrics, epochs) => void send({ type: "epoch", metrics, epochs }),
    onEvaluating: () => void send({ type: "evaluating" }),
  });
  return { type: "done", ...result };
}

// If the worker dies (even by SIGKILL) the IPC channel closes: stop at once rather than train for nobody.
process.once("disconnect", () => process.exit(1));

/** Tensors alive now, or null when the backend never came up (the child is then not reused). */
const liveTensors = () =>
  warming.then(
    ({ tf }) => tf.memory().numTensors,
    () => null,
  );

async function handle(raw: unknown): Promise<void> {
  const before = await liveTensors();
  const message = await (isExperimentRequest(raw) ? runExperimentRequest(raw, { warming, send }) : run(raw)).catch(
    (error: unknown): ChildMessage => {
      if (error instanceof ValidationError || (error instanceof StepwiseError && error.code === "BUDGET")) {
        return { type: "invalid", message: error.message.slice(0, 4000) };
      }
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      return { type: "error", message: message.slice(0, 4000) };
    },
  );
  // Every run disposes its models, optimizers and batches; a run that left tensors behind (or
  // failed halfway) leaves state the next run must not inherit, so the worker retires this child.
  const after = await liveTensors();
  await send({ type: "clean", reusable: before !== null && before === after && message.type !== "error" });
  await send(message);
}

// Runs arrive one at a time (the worker waits for each answer), but chain them anyway.
let queue = Promise.resolve();
process.on("message", (raw) => {
  queue = queue.then(() => handle(raw)).catch(() => process.exit(1));
});
