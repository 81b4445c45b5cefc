import { describe, expect, it } from "vitest";
import { parseEnv } from "../src/env";

describe("STEPWISE_DEMO", () => {
  it.each([
    [undefined, false],
    ["0", false],
    ["false", false],
    ["1", true],
    ["true", true],
  ] as const)("%s → demo accounts %s", (value, demo) => {
    expect(parseEnv({ STEPWISE_DEMO: value }).STEPWISE_DEMO).toBe(demo);
  });

  it("refuses a value that is not a flag, naming the expected ones", () => {
    expect(() => parseEnv({ STEPWISE_DEMO: "yes" })).toThrow(/"0"|"1"|true|false/);
  });
});
