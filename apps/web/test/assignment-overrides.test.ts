import { describe, expect, it } from "vitest";
import { assignmentInput, formOf, keptOverrides, overridesOf, shownErrorPaths } from "../src/app/teach/assignment-overrides";
import { toolboxOptions } from "../src/app/teach/toolbox-options";

const options = toolboxOptions();
const stored = (
  overrides: Record<string, unknown>,
  over: Partial<{ title: string; deadline: number | null; attemptsAllowed: number | null; position: number }> = {},
) => ({
  title: "Beat the baseline",
  deadline: Date.UTC(2026, 2, 1, 17, 30),
  attemptsAllowed: 3,
  position: 5,
  overrides,
  ...over,
});

describe("assignment form ↔ overrides", () => {
  it("a new assignment's fields are empty but for the course's attempts, and send no override at all", () => {
    const form = formOf(null, 4, options);
    expect(form.attempts).toBe("4");
    expect(form.title).toBe("");
    expect(form.experiments).toEqual(options.experiments.map((o) => o.name));
    expect(assignmentInput(form, {}, options)).toEqual({ title: "", overrides: {}, deadline: null, attemptsAllowed: 4 });
  });

  it("stored overrides come back unchanged through the fields", () => {
    const overrides = {
      target: 0.95,
      baseline: 0.5,
      budgets: { maxEpochs: 12, maxSeconds: 60 },
      seed: 7,
      seeds: 3,
      visibility: { accuracy: "after_deadline", overfit: "never" },
      hints: ["Normalize the pixels.", "Try Adam."],
      experiments: { allowed: [options.experiments[0]?.name], computeSeconds: 300 },
      toolbox: { tuningTrials: 8 },
      latePenalty: { perDay: 0.1, maxDaysLate: 3 },
      dataset: { kind: "csv", file: "credit.csv", target: "default", task: "binary" },
    };
    const form = formOf(stored(overrides), 2, options);
    expect(form.budgets).toEqual({ maxParams: "", maxEpochs: "12", maxBatchSize: "", maxSeconds: "60" });
    expect(form.hints).toBe("Normalize the pixels.\nTry Adam.");
    expect(form.deadline).toBe("2026-03-01T17:30");
    expect(overridesOf(form, {}, options)).toEqual(overrides);
    expect(assignmentInput(form, {}, options)).toEqual({
      title: "Beat the baseline",
      overrides,
      deadline: Date.UTC(2026, 2, 1, 17, 30),
      attemptsAllowed: 3,
      position: 5,
    });
  });

  it("an emptied field drops its override, and checking every option stores no `allowed` list", () => {
    const form = formOf(
      stored({ target: 0.9, hints: ["one"], experiments: { allowed: [] }, toolbox: { allowed: ["tuning"] } }),
      2,
      options,
    );
    expect(form.experiments).toEqual([]);
    expect(form.techniques).toEqual(["tuning"]);
    const edited = { ...form, target: " ", hints: "\n  \n", experiments: options.experiments.map((o) => o.name), techniques: [] };
    expect(overridesOf(edited, {}, options)).toEqual({ toolbox: { allowed: [] } });
  });

  it("keeps the stored keys the form does not edit, and a non-CSV dataset unless the picker owns it", () => {
    const overrides = { metric: "f1", target: 0.8, dataset: { kind: "imdb", vocabulary: 5000 } };
    expect(keptOverrides(overrides, false)).toEqual({ metric: "f1", dataset: { kind: "imdb", vocabulary: 5000 } });
    expect(keptOverrides(overrides, true)).toEqual({ metric: "f1" });
    const form = formOf(stored(overrides), 2, options);
    expect(form.dataset).toBeNull();
    expect(overridesOf(form, keptOverrides(overrides, false), options)).toEqual(overrides);
  });

  it("a late penalty with one half filled sends that half, the other left to the course", () => {
    const form = { ...formOf(null, 2, options), maxDaysLate: "2" };
    expect(overridesOf(form, {}, options)).toEqual({ latePenalty: { perDay: undefined, maxDaysLate: 2 } });
  });

  it("shows errors beside every field it renders, including each check's visibility; others go under the form", () => {
    const shown = shownErrorPaths(["accuracy"]);
    for (const path of [
      "title",
      "overrides.budgets.maxEpochs",
      "overrides.visibility.accuracy",
      "overrides.toolbox.tuningTrials",
      "overrides.dataset.file",
    ])
      expect(shown.has(path), path).toBe(true);
    expect(shown.has("overrides.visibility.overfit")).toBe(false);
    expect(shown.has("overrides.metric")).toBe(false);
  });
});
