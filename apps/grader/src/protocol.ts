import { z } from "zod";
import { DataSlice, DatasetRef, EpochMetrics, TrainingConfig, TrainingReport } from "@stepwise/core/contracts";

/**
 * Messages between a worker and its training child. Both sides parse what they receive:
 * the child is a sandbox for untrusted models, so nothing it says is trusted either.
 */
export const TrainRequest = z
  .object({
    type: z.literal("train"),
    jobId: z.string(),
    /** Validated, seed-injected TF.js topology (the child never sees the raw submission). */
    topology: z.record(z.string(), z.unknown()),
    training: TrainingConfig,
    dataset: DatasetRef,
    data: DataSlice,
    seed: z.number().int(),
    /** The exercise's training budget (student-visible), seconds. */
    maxSeconds: z.number().positive(),
    task: z.object({ kind: z.enum(["binary", "multiclass", "regression"]), numClasses: z.number().int().min(1) }),
    backend: z.enum(["auto", "tensorflow", "wasm", "cpu"]),
    cacheDir: z.string(),
  })
  .strict();
export type TrainRequest = z.infer<typeof TrainRequest>;

export const ChildMessage = z.discriminatedUnion("type", [
  z.object({ type: z.literal("ready"), backend: z.string(), tfjsVersion: z.string() }),
  z.object({ type: z.literal("epoch"), metrics: EpochMetrics, epochs: z.number().int() }),
  z.object({ type: z.literal("evaluating") }),
  z.object({
    type: z.literal("done"),
    report: TrainingReport,
    /** One entry per test example: the predicted class (classification) or value (regression). */
    predictions: z.array(z.number()).max(1_000_000),
    /** Spread of the raw outputs, for the "predictions constant" diagnostic. */
    outputStd: z.number(),
  }),
  z.object({ type: z.literal("invalid"), message: z.string().max(4000) }),
  z.object({ type: z.literal("error"), message: z.string().max(4000) }),
]);
export type ChildMessage = z.infer<typeof ChildMessage>;
