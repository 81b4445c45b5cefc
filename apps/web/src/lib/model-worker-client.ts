import type { BuildResult, WorkerResponse } from "~/workers/protocol";

const BUILD_TIMEOUT_MS = 20_000;

/**
 * Talks to the model worker. One worker is kept warm between builds (loading tfjs takes a moment);
 * a build that runs too long terminates it, and the next build starts a fresh one.
 */
export class ModelWorkerClient {
  private worker: Worker | null = null;
  private nextId = 1;

  private ensureWorker(): Worker {
    this.worker ??= new Worker(new URL("../workers/model.worker.ts", import.meta.url), { type: "module" });
    return this.worker;
  }

  build(code: string): Promise<BuildResult> {
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise<BuildResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        this.terminate();
        reject(new Error(`Your model code did not finish within ${BUILD_TIMEOUT_MS / 1000} s; check for endless loops.`));
      }, BUILD_TIMEOUT_MS);
      const onMessage = (event: MessageEvent<WorkerResponse>) => {
        if (event.data.id !== id) return;
        cleanup();
        if (event.data.type === "built") resolve(event.data.result);
        else reject(new Error(event.data.message));
      };
      const onError = (event: ErrorEvent) => {
        cleanup();
        this.terminate();
        reject(new Error(event.message || "The model worker failed to start."));
      };
      const cleanup = () => {
        clearTimeout(timer);
        worker.removeEventListener("message", onMessage);
        worker.removeEventListener("error", onError);
      };
      worker.addEventListener("message", onMessage);
      worker.addEventListener("error", onError);
      worker.postMessage({ id, type: "build", code });
    });
  }

  terminate(): void {
    this.worker?.terminate();
    this.worker = null;
  }
}
