import { beforeAll, describe, expect, it } from "vitest";
import { initBackend, type Tf } from "../backend";
import { buildModel } from "../training/harness";
import { isObject, type Json } from "./json";
import { parseModelSpec } from "./parse";
import { deriveSeed, withSeeds } from "./seeds";

const { topology } = parseModelSpec({
  format: "keras",
  topology: {
    class_name: "Sequential",
    config: {
      layers: [
        { class_name: "LSTM", config: { units: 4, batch_input_shape: [null, 3, 2] } },
        {
          class_name: "Dense",
          config: { units: 3, kernel_initializer: "he_normal", bias_initializer: { class_name: "RandomNormal", config: { stddev: 1 } } },
        },
        { class_name: "Dense", config: { units: 2, kernel_initializer: { class_name: "TruncatedNormal", config: {} } } },
      ],
    },
  },
});

function seedsIn(value: Json): number[] {
  const found: number[] = [];
  const stack = [value];
  while (stack.length) {
    const v = stack.pop();
    if (Array.isArray(v)) stack.push(...v);
    else if (isObject(v)) {
      if (typeof v.seed === "number") found.push(v.seed);
      stack.push(...Object.values(v));
    }
  }
  return found;
}

describe("withSeeds", () => {
  let tf: Tf;
  beforeAll(async () => {
    ({ tf } = await initBackend());
  });

  it("puts a distinct nonzero seed into every seeded initializer, without touching the input", () => {
    const seeded = withSeeds(topology, 1337);
    const seeds = seedsIn(seeded);
    // LSTM kernel (VarianceScaling) + recurrent (Orthogonal) + Dense he_normal + RandomNormal bias + TruncatedNormal.
    expect(seeds).toHaveLength(5);
    expect(new Set(seeds).size).toBe(5);
    expect(seeds.every((s) => s >= 1 && s < 2 ** 31)).toBe(true);
    expect(seedsIn(topology)).toEqual([]);
  });

  it.each([0, 1, -5, 2 ** 31, 123_456_789])("never derives seed 0 (TF.js ignores it) from %i", (seed) => {
    for (let i = 0; i < 1000; i++) expect(deriveSeed(seed, i)).toBeGreaterThan(0);
  });

  it("gives identical initial weights for the same seed and different ones for another", async () => {
    const weights = async (seed: number) => {
      const model = await buildModel(tf, topology, seed);
      const values = model.getWeights().map((w) => Array.from(w.dataSync()));
      model.dispose();
      return values;
    };
    const a = await weights(1);
    expect(await weights(1)).toEqual(a);
    const b = await weights(2);
    // Every randomly initialized tensor changes (zeros biases stay zeros).
    a.forEach((w, i) => {
      if (w.some((x) => x !== 0 && x !== 1)) expect(b[i]).not.toEqual(w);
    });
  });
});
