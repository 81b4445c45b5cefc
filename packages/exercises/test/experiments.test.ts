/** Debugging experiments on real models and real MNIST slices: each outcome triggered by a model that should trigger it. */
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { SubmissionPayload } from "@stepwise/core/contracts";
import { initBackend, type BackendInfo } from "@stepwise/core/backend";
import { getExercise } from "../src";
import { runExperiment, type ExperimentName } from "../src/experiments";
import { solutions } from "../src/solutions";

const cacheDir = join(import.meta.dirname, "..", "..", "..", "data", "cache");
const reference = solutions["mnist-beat-baseline"]?.reference as SubmissionPayload;
/** Learns nothing: the learning rate is far too small to move the weights. */
const frozen: SubmissionPayload = { ...reference, training: reference.training && { ...reference.training, compile: { ...reference.training.compile, optimizer: "sgd", learningRate: 1e-7 } } };

describe("debugging experiments", () => {
  let backend: BackendInfo;
  beforeAll(async () => {
    backend = await initBackend();
  });

  it.each([
    ["tiny-subset", "reference", "fits", reference, true],
    ["tiny-subset", "frozen", "cannot-fit", frozen, false],
    ["label-as-input", "reference", "pipeline-ok", reference, true],
    ["label-as-input", "frozen", "pipeline-broken", frozen, false],
    ["shuffled-labels", "reference", "no-leak", reference, true],
  ] as [ExperimentName, string, string, SubmissionPayload, boolean][])("%s on the %s model → %s", async (name, _label, outcome, payload, healthy) => {
    const result = await runExperiment(name, getExercise("mnist-beat-baseline"), payload, { tf: backend.tf, cacheDir, trainLimit: 1_000 });
    expect(result.outcome, result.message).toBe(outcome);
    expect(result.healthy).toBe(healthy);
    expect(result.history.length).toBeGreaterThan(0);
  });
});
