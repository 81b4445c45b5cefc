import type { EpochMetrics, TrainingConfig } from "@stepwise/core/contracts";
import type { BuildResult, TrainResult, WorkerRequest, WorkerResponse } from "~/workers/protocol";

const BUILD_TIMEOUT_MS = 20_000;
/** A preview longer than this is cut off: the grader, not the browser, is where long training belongs. */
const TRAIN_TIMEOUT_MS = 15 * 60_000;

type Distributive<T> = T extends unknown ? Omit<T, "id"> : never;

/**
 * Talks to the model worker. One worker is kept warm between builds (loading tfjs takes a moment);
 * a build that runs too long terminates it, and the next build starts a fresh one.
 */
export class ModelWorkerClient {
  private worker: Worker | null = null;
  private nextId = 1;
  private trainingId: number | null = null;

  private ensureWorker(): Worker {
    this.worker ??= new Worker(new URL("../workers/model.worker.ts", import.meta.url), { type: "module" });
    return this.worker;
  }

  private request<T>(
    message: Distributive<WorkerRequest>,
    timeoutMs: number,
    timeoutMessage: string,
    onMessage: (data: WorkerResponse, done: (value: T) => void) => void,
  ): Promise<T> {
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        this.terminate();
        reject(new Error(timeoutMessage));
      }, timeoutMs);
      const handle = (event: MessageEvent<WorkerResponse>) => {
        const data = event.data;
        if (data.id !== id) return;
        if (data.type === "error") {
          cleanup();
          reject(new Error(data.message));
          return;
        }
        onMessage(data, (value) => {
          cleanup();
          resolve(value);
        });
      };
      const onError = (event: ErrorEvent) => {
        cleanup();
        this.terminate();
        reject(new Error(event.message || "The model worker failed to start."));
      };
      const cleanup = () => {
        clearTimeout(timer);
        worker.removeEventListener("message", handle);
        worker.removeEventListener("error", onError);
      };
      worker.addEventListener("message", handle);
      worker.addEventListener("error", onError);
      worker.postMessage({ ...message, id });
    });
  }

  build(code: string): Promise<BuildResult> {
    return this.request<BuildResult>(
      { type: "build", code },
      BUILD_TIMEOUT_MS,
      `Your model code did not finish within ${BUILD_TIMEOUT_MS / 1000} s; check for endless loops.`,
      (data, done) => {
        if (data.type === "built") done(data.result);
      },
    );
  }

  /** Preview-trains in the worker; `onEpoch` sees each epoch as it ends, `onStatus` the current phase. */
  async train(
    input: { code: string; training: TrainingConfig; dataUrl: string },
    on: { onEpoch: (metrics: EpochMetrics) => void; onStatus: (message: string) => void },
  ): Promise<TrainResult> {
    this.trainingId = this.nextId;
    try {
      return await this.request<TrainResult>(
        { type: "train", ...input },
        TRAIN_TIMEOUT_MS,
        `The preview ran longer than ${TRAIN_TIMEOUT_MS / 60_000} minutes and was stopped.`,
        (data, done) => {
          if (data.type === "epoch") on.onEpoch(data.metrics);
          else if (data.type === "status") on.onStatus(data.message);
          else if (data.type === "trained") done(data.result);
        },
      );
    } finally {
      this.trainingId = null;
    }
  }

  /** Asks the running preview to stop after its current batch. */
  stop(): void {
    if (this.trainingId !== null) this.worker?.postMessage({ id: this.trainingId, type: "stop" } satisfies WorkerRequest);
  }

  terminate(): void {
    this.worker?.terminate();
    this.worker = null;
  }
}
