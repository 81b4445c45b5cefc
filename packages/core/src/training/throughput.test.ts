import { beforeAll, describe, expect, it } from "vitest";
import { initBackend, type Tf } from "../backend";
import { epochSeconds } from "../model/estimate";
import { measureTrainingThroughput } from "./throughput";

describe("measureTrainingThroughput", () => {
  let tf: Tf;
  beforeAll(async () => {
    ({ tf } = await initBackend());
  });

  it("trains the reference models to a plausible step cost and throughput, without leaking tensors", async () => {
    const before = tf.memory().numTensors;
    const speed = await measureTrainingThroughput(tf);
    expect(tf.memory().numTensors).toBe(before);
    // Any backend on any machine this runs on: cpu ~0.1 G/s, wasm+OpenBLAS ~30, tfjs-node more; a step well under a second.
    expect(speed.gflops).toBeGreaterThan(0.01);
    expect(speed.gflops).toBeLessThan(5_000);
    expect(speed.stepSeconds).toBeGreaterThanOrEqual(0);
    expect(speed.stepSeconds).toBeLessThan(1);
    // The figures cost an MNIST-sized epoch at a finite, positive time.
    expect(epochSeconds(2_006_016, { train: 48_000, evaluate: 12_000, batchSize: 128 }, speed)).toBeGreaterThan(0);
  });
});
