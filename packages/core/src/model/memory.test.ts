import { describe, expect, it } from "vitest";
import { parseModelSpec } from "./parse";
import { estimateTrainingMemory, formatBytes } from "./memory";

const dense = (units: number[]) =>
  parseModelSpec({
    format: "tfjs",
    topology: {
      class_name: "Sequential",
      config: {
        layers: units.map((u, i) => ({
          class_name: "Dense",
          config: { units: u, name: `dense_${i + 1}`, ...(i === 0 ? { batch_input_shape: [null, 784] } : {}) },
        })),
      },
    },
  }).summary;

describe("estimateTrainingMemory", () => {
  it("counts batch × every layer's outputs × 4 bytes twice (values and gradients), and names the widest layer", () => {
    // 1024 × (1024 + 2048 + 10) outputs × 4 bytes × 2 ≈ 24 MiB, 16 MiB of it dense_2's.
    const estimate = estimateTrainingMemory(dense([1024, 2048, 10]), 1024);
    expect(estimate.activationBytes).toBe(2 * 4 * 1024 * (1024 + 2048 + 10));
    expect(estimate.largest?.layer.name).toBe("dense_2");
    expect(estimate.largest?.values).toBe(1024 * 2048);
    expect(formatBytes(estimate.largest?.bytes ?? 0)).toBe("16 MiB");
  });

  it("sees the activations outgrow the parameters as the batch grows", () => {
    const summary = dense([64, 10]);
    expect(estimateTrainingMemory(summary, 8).activationBytes).toBeLessThan(estimateTrainingMemory(summary, 8).parameterBytes);
    expect(estimateTrainingMemory(summary, 8192).activationBytes).toBeGreaterThan(estimateTrainingMemory(summary, 8192).parameterBytes);
  });

  it.each([
    [512, "512 bytes"],
    [12 * 1024, "12 KiB"],
    [1.5 * 1024 ** 3, "1.5 GiB"],
    [321.4 * 1024 ** 2, "321 MiB"],
  ])("formats %d as %s", (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});
