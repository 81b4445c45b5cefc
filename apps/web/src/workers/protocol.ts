/** Messages between the step page and the model worker. Kept free of tfjs so the page bundle stays small. */
export interface BuildRequest {
  id: number;
  type: "build";
  code: string;
}

export interface WorkerLayerSummary {
  name: string;
  className: string;
  outputShape: string;
  params: number;
}

export interface BuildResult {
  topology: Record<string, unknown>;
  layers: WorkerLayerSummary[];
  totalParams: number;
  trainableParams: number;
}

export type WorkerResponse = { id: number; type: "built"; result: BuildResult } | { id: number; type: "error"; message: string };
