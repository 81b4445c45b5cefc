/**
 * The debugging checklist on real models: each case trains a real (small) model on real MNIST or
 * IMDB slices through the grader's own path and expects the diagnostic a teacher would give.
 */
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { SubmissionPayload } from "@stepwise/core/contracts";
import { initBackend, type BackendInfo } from "@stepwise/core/backend";
import { getExercise } from "../src";
import { gradeLocally } from "../src/grading";
import { solutions } from "../src/solutions";

const cacheDir = join(import.meta.dirname, "..", "..", "..", "data", "cache");
const slice = { trainLimit: 1_500, testLimit: 500 };

type Layer = { class_name: string; config: Record<string, unknown> };
type Editable = SubmissionPayload & {
  model: { topology: { config: { layers: Layer[] } } };
  training: NonNullable<SubmissionPayload["training"]>;
};

function edit(exerciseId: string, change: (p: Editable) => void): SubmissionPayload {
  const copy = structuredClone(solutions[exerciseId]?.reference) as Editable;
  change(copy);
  return copy;
}

const mnistCases: [string, string, (p: Editable) => void][] = [
  [
    "a sigmoid head on 10 classes",
    "sigmoid-multiclass",
    (p) => {
      const last = p.model.topology.config.layers.at(-1);
      if (last) last.config.activation = "sigmoid";
    },
  ],
  [
    "a learning rate so small nothing moves",
    "loss-flat",
    (p) => {
      p.training.compile = { ...p.training.compile, optimizer: "sgd", learningRate: 1e-7 };
    },
  ],
  [
    "a dozen hidden layers on 1,500 examples",
    "too-many-layers",
    (p) => {
      const [first, last] = p.model.topology.config.layers;
      if (!first || !last) return;
      const hidden = Array.from({ length: 12 }, (_, i) => ({
        class_name: "Dense",
        config: { ...first.config, name: `deep_${i}`, units: 16, ...(i > 0 ? { batch_input_shape: undefined } : {}) },
      }));
      p.model.topology.config.layers = [...hidden, last].map((l) => ({
        ...l,
        config: Object.fromEntries(Object.entries(l.config).filter(([, v]) => v !== undefined)),
      }));
    },
  ],
];

describe("diagnostics from real training runs", () => {
  let backend: BackendInfo;
  beforeAll(async () => {
    backend = await initBackend();
  });

  it.each(mnistCases)("MNIST: %s → %s", async (_name, code, change) => {
    const verdict = await gradeLocally(getExercise("mnist-beat-baseline"), edit("mnist-beat-baseline", change), {
      ...backend,
      slice,
      cacheDir,
    });
    expect(
      verdict.diagnostics.map((d) => d.code),
      verdict.summary,
    ).toContain(code);
  });

  it("IMDB: softmax over one unit always answers 1 → softmax-single-unit and constant predictions", async () => {
    const naive = solutions["imdb-beat-baseline"]?.naive;
    if (!naive) throw new Error("missing IMDB naive solution");
    const verdict = await gradeLocally(getExercise("imdb-beat-baseline"), naive, { ...backend, slice, cacheDir });
    const codes = verdict.diagnostics.map((d) => d.code);
    expect(codes).toContain("softmax-single-unit");
    expect(codes).toContain("constant-predictions");
  });

  it("a learning rate of 10 diverges: the verdict says so and names the learning rate", async () => {
    const verdict = await gradeLocally(
      getExercise("mnist-beat-baseline"),
      edit("mnist-beat-baseline", (p) => {
        p.training.compile = { ...p.training.compile, optimizer: "sgd", learningRate: 10 };
      }),
      { ...backend, slice, cacheDir },
    );
    expect(["diverged", "failed"]).toContain(verdict.status);
    const text = [verdict.summary, ...verdict.diagnostics.map((d) => `${d.message} ${d.hint}`)].join(" ");
    expect(text).toMatch(/learning rate/i);
  });

  it("the reference model gets no diagnostic", async () => {
    const reference = solutions["mnist-beat-baseline"]?.reference;
    if (!reference) throw new Error("missing reference");
    const verdict = await gradeLocally(getExercise("mnist-beat-baseline"), reference, { ...backend, slice, cacheDir });
    expect(verdict.diagnostics).toEqual([]);
  });
});
