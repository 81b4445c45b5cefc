import { describe, expect, it } from "vitest";
import { parseModelSpec } from "@stepwise/core/model";
import { invalidVerdict, outOfMemoryVerdict } from "../src/grading";

describe("verdicts of runs that ended before scoring", () => {
  it.each([
    ["a reason without a full stop", "a model may have at most 64 layers, got 70", "…got 70. This costs no attempt."],
    ["a reason that has one", "Pass step 6 first.", "…first. This costs no attempt."],
    ["a question", "Did you mean Dense?", "…Dense? This costs no attempt."],
  ])("an invalid submission's reason ends as a sentence: %s", (_name, reason, ending) => {
    expect(invalidVerdict(reason).summary.endsWith(ending.slice(1))).toBe(true);
  });

  it("out of memory: the activations of one batch and the widest layer are named, not the parameters", () => {
    const { summary } = parseModelSpec({
      format: "tfjs",
      topology: {
        class_name: "Sequential",
        config: {
          layers: [
            { class_name: "Dense", config: { name: "wide", units: 4096, batch_input_shape: [null, 784] } },
            { class_name: "Dense", config: { units: 10 } },
          ],
        },
      },
    });
    const verdict = outOfMemoryVerdict({ capMb: 500, detail: "RSS 612 MiB", summary, batchSize: 8192 });
    expect(verdict.status).toBe("out_of_memory");
    // 8192 × (4096 + 10) × 4 bytes × 2 = 257 MiB of activations; the parameters take 49.2 MiB.
    expect(verdict.summary).toContain("At batch size 8,192 one training step holds about 257 MiB of activations and their gradients");
    expect(verdict.summary).toContain('the largest is Dense "wide": 33,554,432 values, 256 MiB.');
    expect(verdict.summary).toMatch(/Use a smaller batch size or fewer units in that layer\.$/);
  });
});
