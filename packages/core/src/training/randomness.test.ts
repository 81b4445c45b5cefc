import type { Tensor } from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend, type Tf } from "../backend";
import { parseModelSpec } from "../model";
import { buildModel } from "./harness";
import { releaseRnnMasks, seededSteps } from "./randomness";
import { mulberry32 } from "./rng";

let tf: Tf;
beforeAll(async () => {
  ({ tf } = await initBackend());
});

const topology = (layer: Record<string, unknown>, input: number[]) =>
  parseModelSpec({
    format: "tfjs",
    topology: {
      class_name: "Sequential",
      config: { layers: [{ ...layer, config: { ...(layer.config as object), batch_input_shape: [null, ...input] } }] },
    },
  }).topology;

/** Runs the model in training mode (dropout active) once per step and returns the outputs. */
async function stepOutputs(layer: Record<string, unknown>, input: number[], seed: number, steps: number): Promise<number[][]> {
  const model = await buildModel(tf, topology(layer, input), 1);
  const reseed = seededSteps(tf, model, mulberry32(seed));
  const x = tf.ones([2, ...input]);
  const outs: number[][] = [];
  for (let i = 0; i < steps; i++) {
    reseed();
    const y = model.apply(x, { training: true }) as Tensor;
    outs.push(Array.from(y.dataSync()));
    y.dispose();
  }
  x.dispose();
  releaseRnnMasks(tf, model);
  model.dispose();
  return outs;
}

describe("seeded dropout", () => {
  it.each([
    ["Dropout", { class_name: "Dropout", config: { rate: 0.5 } }, [64]],
    ["LSTM dropout", { class_name: "LSTM", config: { units: 8, dropout: 0.5, recurrent_dropout: 0.3 } }, [5, 16]],
  ])("%s: masks differ between steps and repeat with the same seed", async (_name, layer, input) => {
    const before = tf.memory().numTensors;
    const a = await stepOutputs(layer, input, 9, 3);
    const b = await stepOutputs(layer, input, 9, 3);
    const c = await stepOutputs(layer, input, 10, 3);
    expect(b).toEqual(a);
    expect(a[1]).not.toEqual(a[0]);
    expect(a[2]).not.toEqual(a[1]);
    expect(c).not.toEqual(a);
    expect(tf.memory().numTensors).toBe(before);
  });
});
