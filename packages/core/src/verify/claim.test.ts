import { describe, expect, it } from "vitest";
import { checkClaim, reproducedMetric } from "./claim";
import { curve } from "./curves.test-helpers";
import { StatsInputError } from "./stats";

describe("checkClaim", () => {
  it.each([
    ["an exact match", "valAccuracy", 0.9, 0.9, undefined, true],
    ["0.04 off, inside the default 0.05", "valAccuracy", 0.94, 0.9, undefined, true],
    ["0.06 off, outside it", "valAccuracy", 0.96, 0.9, undefined, false],
    ["a custom absolute tolerance", "valAccuracy", 0.92, 0.9, { absolute: 0.01 }, false],
    ["a loss 20% off (default 25%)", "valLoss", 0.36, 0.3, undefined, true],
    ["a loss 50% off", "valLoss", 0.45, 0.3, undefined, false],
    ["a NaN claim", "valAccuracy", Number.NaN, 0.9, undefined, false],
  ] as const)("%s", (_name, metric, claimed, reproduced, tolerance, passed) => {
    const check = checkClaim({ claimed: { metric, value: claimed }, reproduced, ...(tolerance ? { tolerance } : {}) });
    expect(check).toMatchObject({ id: "claim-reproduced", passed });
  });

  it("says by how much a claim is off", () => {
    const check = checkClaim({ claimed: { metric: "valAccuracy", value: 0.98 }, reproduced: 0.9 });
    expect(check.message).toBe(
      "Your claimed validation accuracy 0.980 differs from the grader's 0.900 by 0.080, more than the 0.050 allowed. Did you train with the same settings you submitted?",
    );
  });

  it("needs some tolerance", () => {
    expect(() => checkClaim({ claimed: { metric: "valAccuracy", value: 0.9 }, reproduced: 0.9, tolerance: {} })).toThrow(StatsInputError);
  });
});

describe("reproducedMetric", () => {
  it("takes the last epoch that recorded the metric", () => {
    const history = curve([1, 0.5, 0.4], [0.9, 0.6, 0.5], undefined, [0.5, 0.7, 0.8]);
    expect(reproducedMetric(history, "valAccuracy")).toBe(0.8);
    expect(reproducedMetric(history, "valLoss")).toBe(0.5);
    expect(reproducedMetric(curve([1]), "valLoss")).toBeUndefined();
  });
});
