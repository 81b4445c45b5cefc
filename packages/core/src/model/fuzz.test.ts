import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend, type Tf } from "../backend";
import { BudgetError, ValidationError } from "../contracts/errors";
import type { Json } from "./json";
import { LAYER_CLASSES } from "./layers";
import { parseModelSpec } from "./parse";
import { buildModel } from "../training/harness";

const fixtureDir = fileURLToPath(new URL("./fixtures/", import.meta.url));
const seeds: Json[] = readdirSync(fixtureDir)
  .filter((f) => f.endsWith(".json"))
  .map((f) => JSON.parse(readFileSync(fixtureDir + f, "utf8")) as Json);

/** Only our two error classes may come out; anything else (TypeError, RangeError, a hang) fails. */
function parseOrReject(topology: unknown, format: "tfjs" | "keras" = "tfjs"): void {
  try {
    parseModelSpec({ format, topology: topology as string });
  } catch (error) {
    if (!(error instanceof ValidationError || error instanceof BudgetError)) throw error;
  }
}

/** Every [container, key] pair of a JSON document, found without recursion. */
function slots(root: Json): [Json[] | Record<string, Json>, string | number][] {
  const out: [Json[] | Record<string, Json>, string | number][] = [];
  const stack: Json[] = [root];
  while (stack.length) {
    const v = stack.pop();
    if (Array.isArray(v)) {
      v.forEach((x, i) => {
        out.push([v, i]);
        stack.push(x);
      });
    } else if (v && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) {
        out.push([v, k]);
        stack.push(x);
      }
    }
  }
  return out;
}

const nasty = fc.oneof(
  fc.jsonValue(),
  fc.constantFrom<unknown>(Number.NaN, Infinity, -1, 0, 1e9, 2 ** 31, -0, 1.5, "", "__proto__", null, [], {}, true),
  fc.constantFrom(...LAYER_CLASSES, "Lambda", "Model", "Sequential", "Functional", "InputLayer"),
  fc.integer({ min: 1, max: 200 }).map((d) => JSON.parse("[".repeat(d) + "]".repeat(d)) as unknown),
);

const mutation = fc.record({
  seed: fc.nat(seeds.length - 1),
  edits: fc.array(fc.record({ at: fc.nat(), op: fc.constantFrom("set", "delete", "dup"), value: nasty }), { minLength: 1, maxLength: 4 }),
  asString: fc.boolean(),
});

describe("fuzzing parseModelSpec", () => {
  // 10,000 runs in total: 2,000 arbitrary JSON values, 8,000 mutations of real fixtures.
  it("throws only ValidationError or BudgetError on arbitrary JSON", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.boolean(), (value, asString) => parseOrReject(asString ? JSON.stringify(value) : value)),
      { numRuns: 2_000 },
    );
  });

  it("throws only ValidationError or BudgetError on mutated real specs", () => {
    fc.assert(
      fc.property(mutation, ({ seed, edits, asString }) => {
        const doc = structuredClone(seeds[seed] ?? null);
        for (const edit of edits) {
          const all = slots(doc);
          const slot = all[edit.at % Math.max(all.length, 1)];
          if (!slot) continue;
          const [container, key] = slot;
          const target = container as Record<string | number, unknown>;
          if (edit.op === "delete") delete target[key];
          else if (edit.op === "dup") target[key] = [target[key], target[key]];
          else target[key] = edit.value;
        }
        parseOrReject(asString ? JSON.stringify(doc) : doc, "keras");
      }),
      { numRuns: 8_000 },
    );
  });
});

// A random chain of whitelisted layers with plausible settings. When we accept one, TF.js must
// build it with exactly the parameters and shapes we inferred (this found Flatten-on-flat).
const layer = fc.oneof(
  fc.record({
    class_name: fc.constant("Dense"),
    config: fc.record({ units: fc.integer({ min: 1, max: 16 }), activation: fc.constantFrom("relu", "softmax", "hard_sigmoid", "swish") }),
  }),
  fc.record({
    class_name: fc.constantFrom("Conv1D", "Conv2D"),
    config: fc.record({
      filters: fc.integer({ min: 1, max: 4 }),
      kernel_size: fc.integer({ min: 1, max: 4 }),
      strides: fc.integer({ min: 1, max: 3 }),
      padding: fc.constantFrom("valid", "same"),
    }),
  }),
  fc.record({
    class_name: fc.constantFrom("MaxPooling1D", "AveragePooling1D", "MaxPooling2D", "AveragePooling2D"),
    config: fc.record({ pool_size: fc.integer({ min: 1, max: 3 }), padding: fc.constantFrom("valid", "same") }),
  }),
  fc.record({
    class_name: fc.constantFrom("Flatten", "GlobalAveragePooling1D", "GlobalMaxPooling2D", "BatchNormalization"),
    config: fc.constant({}),
  }),
  fc.record({ class_name: fc.constant("Dropout"), config: fc.record({ rate: fc.double({ min: 0, max: 0.9, noNaN: true }) }) }),
  fc.record({
    class_name: fc.constantFrom("SimpleRNN", "LSTM", "GRU"),
    config: fc.record({ units: fc.integer({ min: 1, max: 5 }), return_sequences: fc.boolean(), reset_after: fc.constant(false) }),
  }),
  fc.record({
    class_name: fc.constant("Reshape"),
    config: fc.record({ target_shape: fc.constantFrom([-1], [2, -1], [-1, 1], [2, 2, -1]) }),
  }),
  fc.record({
    class_name: fc.constant("Embedding"),
    config: fc.record({ input_dim: fc.integer({ min: 1, max: 30 }), output_dim: fc.integer({ min: 1, max: 4 }) }),
  }),
);

describe("accepted models build in TF.js as inferred", () => {
  let tf: Tf;
  beforeAll(async () => {
    ({ tf } = await initBackend());
  });

  it("agrees on parameters and shapes for random layer chains (500 runs)", async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom([8], [6, 4], [6, 6, 2]), fc.array(layer, { minLength: 1, maxLength: 4 }), async (input, layers) => {
        const [first, ...rest] = layers;
        const topology = {
          class_name: "Sequential",
          config: { layers: [{ ...first, config: { ...first?.config, batch_input_shape: [null, ...input] } }, ...rest] },
        };
        let parsed;
        try {
          parsed = parseModelSpec({ format: "keras", topology });
        } catch (error) {
          if (error instanceof ValidationError || error instanceof BudgetError) return;
          throw error;
        }
        accepted++;
        const model = await buildModel(tf, parsed.topology, 1);
        try {
          expect(model.countParams()).toBe(parsed.summary.totalParams);
          expect(model.layers.map((l) => l.outputShape)).toEqual(parsed.summary.layers.map((l) => l.outputShape));
        } finally {
          model.dispose();
        }
      }),
      { numRuns: 500 },
    );
    expect(accepted).toBeGreaterThan(30);
  });
});
