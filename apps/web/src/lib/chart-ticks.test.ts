import { describe, expect, it } from "vitest";
import { axisFor } from "./chart-ticks";

describe("axisFor", () => {
  it.each([
    ["a flat loss", [0.6931, 0.6931, 0.6932, 0.6931]],
    ["a narrow accuracy band", [0.1, 0.1002, 0.1004, 0.1001]],
    ["a wide loss", [2.3, 1.1, 0.4, 0.2]],
    ["one value", [0.5]],
    ["nothing", []],
  ])("labels every tick of %s differently", (_what, values) => {
    const axis = axisFor(values);
    const labels = axis.ticks.map(axis.format);
    expect(new Set(labels).size).toBe(labels.length);
    expect(labels.length).toBeGreaterThanOrEqual(2);
    for (const v of values) {
      expect(v).toBeGreaterThanOrEqual(axis.domain[0]);
      expect(v).toBeLessThanOrEqual(axis.domain[1]);
    }
  });

  it("caps an accuracy axis at 1 and 0", () => {
    const axis = axisFor([0.93, 0.97, 0.995], { bounds: [0, 1] });
    expect(axis.domain[1]).toBe(1);
    expect(Math.max(...axis.ticks)).toBeLessThanOrEqual(1);
    expect(axisFor([0.001, 0.02], { bounds: [0, 1] }).domain[0]).toBe(0);
  });
});
