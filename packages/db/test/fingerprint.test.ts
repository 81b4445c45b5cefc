import { SubmissionPayload, type TrainingConfig } from "@stepwise/core/contracts";
import type { z } from "zod";
import { describe, expect, it } from "vitest";
import { createSubmissionWithJob, enroll, identicalWork, submissionFingerprint } from "../src/index";
import { seedCourse, testDialects, createTestUser } from "../src/testing";
import { useTestDb } from "./helpers";

type Payload = Omit<SubmissionPayload, "training"> & { training?: z.input<typeof TrainingConfig> };
type Layer = { name: string; units: number; seed: number | null; activation?: string };

/** A TF.js `model.toJSON()` topology of dense layers, as the editor sends it. */
function tfjs(layers: Layer[], modelName = "sequential_1"): SubmissionPayload["model"] {
  return {
    format: "tfjs",
    topology: {
      class_name: "Sequential",
      keras_version: "tfjs-layers 4.22.0",
      backend: "tensor_flow.js",
      config: {
        name: modelName,
        layers: layers.map((l, i) => ({
          class_name: "Dense",
          config: {
            name: l.name,
            units: l.units,
            activation: l.activation ?? "relu",
            ...(i === 0 ? { batch_input_shape: [null, 784] } : {}),
            kernel_initializer: {
              class_name: "VarianceScaling",
              config: { scale: 1, mode: "fan_avg", distribution: "normal", seed: l.seed },
            },
          },
        })),
      },
    },
  };
}

/** A Keras functional topology: layers refer to each other by name in `inbound_nodes`. */
function keras(names: [string, string, string], units = 32): SubmissionPayload["model"] {
  const [input, hidden, output] = names;
  return {
    format: "keras",
    topology: JSON.stringify({
      class_name: "Functional",
      keras_version: "2.15.0",
      config: {
        name: "model",
        layers: [
          { class_name: "InputLayer", name: input, config: { name: input, batch_input_shape: [null, 784] }, inbound_nodes: [] },
          { class_name: "Dense", name: hidden, config: { name: hidden, units, activation: "relu" }, inbound_nodes: [[[input, 0, 0, {}]]] },
          {
            class_name: "Dense",
            name: output,
            config: { name: output, units: 10, activation: "softmax" },
            inbound_nodes: [[[hidden, 0, 0, {}]]],
          },
        ],
        input_layers: [[input, 0, 0]],
        output_layers: [[output, 0, 0]],
      },
    }),
  };
}

const training = (
  over: { epochs?: number; batchSize?: number; learningRate?: number; validationSplit?: number } = {},
): z.input<typeof TrainingConfig> => ({
  compile: { optimizer: "adam", learningRate: over.learningRate ?? 0.001, loss: "categoricalCrossentropy", metrics: ["accuracy"] },
  fit: {
    epochs: over.epochs ?? 3,
    batchSize: over.batchSize ?? 64,
    ...(over.validationSplit === undefined ? {} : { validationSplit: over.validationSplit }),
  },
});

const base = {
  exerciseId: "mnist-step-5-baseline",
  model: tfjs([
    { name: "dense_Dense1", units: 64, seed: null },
    { name: "dense_Dense2", units: 10, seed: null, activation: "softmax" },
  ]),
  training: training(),
};
const fp = (p: Partial<Payload>) => submissionFingerprint({ ...base, ...p });

describe("a submission's fingerprint", () => {
  it.each<[string, Partial<Payload>]>([
    [
      "layers renamed",
      {
        model: tfjs([
          { name: "hidden", units: 64, seed: null },
          { name: "out", units: 10, seed: null, activation: "softmax" },
        ]),
      },
    ],
    [
      "seeds set",
      {
        model: tfjs([
          { name: "dense_Dense1", units: 64, seed: 7 },
          { name: "dense_Dense2", units: 10, seed: 42, activation: "softmax" },
        ]),
      },
    ],
    [
      "model renamed",
      {
        model: tfjs(
          [
            { name: "dense_Dense1", units: 64, seed: null },
            { name: "dense_Dense2", units: 10, seed: null, activation: "softmax" },
          ],
          "my_model",
        ),
      },
    ],
    ["validation split stated at its default", { training: training({ validationSplit: 0.2 }) }],
    [
      "code and a claimed metric added",
      { code: "const m = tf.sequential();", claimed: { metric: "valAccuracy", value: 0.9, source: "preview" } },
    ],
  ])("is the same with %s", (_, change) => {
    expect(fp(change)).toBe(fp({}));
  });

  it.each<[string, Partial<Payload>]>([
    [
      "different units",
      {
        model: tfjs([
          { name: "dense_Dense1", units: 65, seed: null },
          { name: "dense_Dense2", units: 10, seed: null, activation: "softmax" },
        ]),
      },
    ],
    [
      "a different activation",
      {
        model: tfjs([
          { name: "dense_Dense1", units: 64, seed: null, activation: "tanh" },
          { name: "dense_Dense2", units: 10, seed: null, activation: "softmax" },
        ]),
      },
    ],
    ["more epochs", { training: training({ epochs: 4 }) }],
    ["another batch size", { training: training({ batchSize: 32 }) }],
    ["another learning rate", { training: training({ learningRate: 0.01 }) }],
    ["no training settings", { training: undefined }],
  ])("differs with %s", (_, change) => {
    expect(fp(change)).not.toBe(fp({}));
  });

  it.each<[string, SubmissionPayload["model"], SubmissionPayload["model"], boolean]>([
    ["renamed inputs and outputs", keras(["input_1", "dense", "dense_1"]), keras(["pixels", "hidden", "scores"]), true],
    ["different hidden units", keras(["input_1", "dense", "dense_1"]), keras(["input_1", "dense", "dense_1"], 64), false],
  ])("a Keras functional model with %s: same = %s", (_, a, b, same) => {
    expect(submissionFingerprint({ model: a, training: training() }) === submissionFingerprint({ model: b, training: training() })).toBe(
      same,
    );
  });

  it("is a sha256 in hex, and null without a model (an answer step)", () => {
    expect(fp({})).toMatch(/^[0-9a-f]{64}$/);
    expect(submissionFingerprint({})).toBeNull();
  });
});

describe.each(testDialects)("identical work on %s", (dialect) => {
  const t = useTestDb(dialect);

  it("groups students who submitted the same fingerprint, fingerprints rows stored before it existed, and ignores one student's resubmissions", async () => {
    const { db } = t();
    const f = await seedCourse(db, 1);
    const student = async (name: string) => {
      const user = await createTestUser(db, { email: `${name}@example.test`, name, role: "student", password: "pw-123456" }, 1);
      await enroll(db, { courseId: f.course.id, userId: user.id, role: "student" }, 1);
      return user;
    };
    const [ada, bo, cy] = [await student("ada"), await student("bo"), await student("cy")];
    const send = (userId: string, payload: Payload, now: number) =>
      createSubmissionWithJob(
        db,
        { assignmentId: f.assignment.id, userId, exerciseId: f.assignment.exerciseId, payload: SubmissionPayload.parse(payload) },
        now,
      );
    const renamed = {
      ...base,
      model: tfjs([
        { name: "a", units: 64, seed: 3 },
        { name: "b", units: 10, seed: 4, activation: "softmax" },
      ]),
    };
    const own = await send(ada.id, base, 10);
    await send(ada.id, base, 11); // Ada again: no group by herself
    const copy = await send(bo.id, renamed, 12);
    await send(cy.id, { ...base, training: training({ epochs: 9 }) }, 13);
    await send(f.student.id, { exerciseId: base.exerciseId, answers: { metric: "accuracy" } }, 14);
    // A row from before fingerprints existed is compared too.
    await db.kysely.updateTable("submissions").set({ fingerprint: null }).where("id", "=", copy.submission.id).execute();

    const groups = await identicalWork(db, [f.assignment.id]);
    expect(groups).toHaveLength(1);
    expect(groups[0]?.members.map((m) => m.userId)).toEqual([ada.id, bo.id]);
    expect(groups[0]?.members[0]?.submissionIds[0]).toBe(own.submission.id);
    const stored = await db.kysely
      .selectFrom("submissions")
      .select("fingerprint")
      .where("id", "=", copy.submission.id)
      .executeTakeFirstOrThrow();
    expect(stored.fingerprint).toBe(groups[0]?.fingerprint);
    expect(await identicalWork(db, [])).toEqual([]);
  });
});
