import { z } from "zod";

/**
 * A model as the student sends it: the topology only (weights are ignored; the grader trains from scratch).
 * `tfjs` is `model.toJSON()` from TensorFlow.js; `keras` is `model.to_json()` from Keras 2 or 3.
 * The topology is untrusted data: `core/model` validates it before TF.js sees it.
 */
export const ModelSpec = z
  .object({
    format: z.enum(["tfjs", "keras"]).describe("Where the topology comes from"),
    topology: z
      .union([
        z.string().max(262_144, {
          error: (issue) =>
            `the model topology must be at most 262144 characters, got ${typeof issue.input === "string" ? issue.input.length : "more"}`,
        }),
        z.record(z.string(), z.unknown()),
      ])
      .describe("Layers topology JSON (object or string, ≤ 256 KB)"),
  })
  .strict();
export type ModelSpec = z.infer<typeof ModelSpec>;

/** One layer as our own shape inference sees it (no tensors allocated). */
export interface LayerSummary {
  name: string;
  className: string;
  outputShape: (number | null)[];
  params: number;
}

export interface ModelSummary {
  layers: LayerSummary[];
  inputShape: (number | null)[];
  outputShape: (number | null)[];
  totalParams: number;
  /** Multiply-adds of one forward pass for one example, ×3 for forward+backward. */
  trainingFlopsPerExample: number;
}
