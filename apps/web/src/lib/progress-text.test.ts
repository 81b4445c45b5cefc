import { describe, expect, it } from "vitest";
import { phaseText, type PhaseEvent } from "./progress-text";

describe("phaseText", () => {
  const at = 1_000_000;
  it.each<[Omit<PhaseEvent, "type" | "at">, number, string]>([
    [{ phase: "preparing" }, 0, "Preparing the data"],
    [
      { phase: "training", run: 1, runs: 1, label: "your model", epoch: 0, epochs: 3, etaSeconds: 40 },
      0,
      "Training (your model) — starting, ~40 s left",
    ],
    [
      { phase: "training", run: 2, runs: 3, label: "your step-7 model", epoch: 4, epochs: 10, etaSeconds: 130 },
      0,
      "Training run 2 of 3 (your step-7 model) — epoch 4 of 10, ~2 min left",
    ],
    // The estimate counts down between the grader's rows.
    [
      { phase: "training", run: 2, runs: 3, label: "your step-7 model", epoch: 4, epochs: 10, etaSeconds: 130 },
      90_000,
      "Training run 2 of 3 (your step-7 model) — epoch 4 of 10, ~40 s left",
    ],
    [
      { phase: "training", run: 3, runs: 3, label: "the final model", epoch: 10, epochs: 10, etaSeconds: 3 },
      0,
      "Training run 3 of 3 (the final model) — epoch 10 of 10, almost done",
    ],
    [{ phase: "training", run: 1, runs: 2, epoch: 1, epochs: 5 }, 0, "Training run 1 of 2 — epoch 1 of 5"],
    [{ phase: "evaluating", etaSeconds: 0 }, 0, "Evaluating on the hidden test set"],
  ])("%j, %i ms later → %s", (fields, later, text) => {
    expect(phaseText({ type: "phase", at, ...fields }, at + later)).toBe(text);
  });
});
