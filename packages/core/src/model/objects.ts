import { ValidationError } from "../contracts/errors";
import { isObject, type Json, type JsonObject } from "./json";
import { describe, Reader } from "./read";

/** Keras/TF.js spellings → the snake_case name TF.js's loader camel-cases back to its class. */
const ACTIVATIONS: Record<string, string> = {
  linear: "linear",
  relu: "relu",
  relu6: "relu6",
  elu: "elu",
  selu: "selu",
  sigmoid: "sigmoid",
  hardsigmoid: "hard_sigmoid",
  softplus: "softplus",
  softsign: "softsign",
  tanh: "tanh",
  softmax: "softmax",
  logsoftmax: "log_softmax",
  gelu: "gelu",
  mish: "mish",
  swish: "swish",
  silu: "swish",
};

export const ACTIVATION_NAMES = Object.keys(ACTIVATIONS);

/** Lookup by untrusted name: own keys only, so "constructor" finds nothing. */
function own<T>(table: Record<string, T>, name: string): T | undefined {
  return Object.hasOwn(table, name) ? table[name] : undefined;
}

/** "GlorotUniform", "glorot_uniform" and "glorotUniform" all become "glorotuniform". */
function key(name: string): string {
  return name.replace(/_/g, "").toLowerCase();
}

function nameOf(value: Json | undefined): string | undefined {
  if (typeof value === "string") return value;
  // Keras 3 may write a function as {class_name: "function", config: "relu"}.
  if (isObject(value)) {
    if (typeof value.config === "string") return value.config;
    if (typeof value.class_name === "string") return value.class_name;
  }
  return undefined;
}

export function activation(r: Reader, field: string, fallback: string): string {
  const value = r.raw(field);
  if (value === undefined || value === null) return fallback;
  const name = nameOf(value);
  const mapped = name === undefined ? undefined : own(ACTIVATIONS, key(name));
  if (mapped === undefined) r.fail(field, `one of the activations ${ACTIVATION_NAMES.join(", ")}`, value);
  return mapped;
}

/** Helpers Keras serializes by name; TF.js stores all of them as VarianceScaling. */
const VARIANCE: Record<string, [number, string, string]> = {
  glorotuniform: [1, "fan_avg", "uniform"],
  glorotnormal: [1, "fan_avg", "normal"],
  heuniform: [2, "fan_in", "uniform"],
  henormal: [2, "fan_in", "normal"],
  lecununiform: [1, "fan_in", "uniform"],
  lecunnormal: [1, "fan_in", "normal"],
};

export const INITIALIZER_NAMES = [
  "zeros",
  "ones",
  "constant",
  "random_normal",
  "random_uniform",
  "truncated_normal",
  "variance_scaling",
  "orthogonal",
  "glorot_uniform",
  "glorot_normal",
  "he_uniform",
  "he_normal",
  "lecun_uniform",
  "lecun_normal",
];

function classAndConfig(r: Reader, field: string, what: string): { name: string; config: Reader } | undefined {
  const value = r.raw(field);
  if (value === undefined || value === null) return undefined;
  const name = nameOf(value);
  if (name === undefined) r.fail(field, what, value);
  const cfg = isObject(value) && isObject(value.config) ? value.config : {};
  return { name, config: new Reader(cfg, `${r.at(field)}.config`, `${r.label} \`${field}\``) };
}

export function initializer(r: Reader, field: string, fallback: string): JsonObject {
  const found = classAndConfig(r, field, `an initializer (${INITIALIZER_NAMES.join(", ")})`);
  const name = key(found?.name ?? fallback);
  const c = found?.config ?? new Reader({}, r.at(field), field);
  const seed = null;
  const variance = own(VARIANCE, name);
  if (variance) {
    const [scale, mode, distribution] = variance;
    return { class_name: "VarianceScaling", config: { scale, mode, distribution, seed } };
  }
  switch (name) {
    case "zeros":
      return { class_name: "Zeros", config: {} };
    case "ones":
      return { class_name: "Ones", config: {} };
    case "constant":
      return { class_name: "Constant", config: { value: c.num("value", -10, 10, 0) } };
    case "randomnormal":
    case "truncatednormal":
      return {
        class_name: name === "randomnormal" ? "RandomNormal" : "TruncatedNormal",
        config: { mean: c.num("mean", -10, 10, 0), stddev: c.num("stddev", 0, 10, 0.05), seed },
      };
    case "randomuniform":
      return {
        class_name: "RandomUniform",
        config: { minval: c.num("minval", -10, 10, -0.05), maxval: c.num("maxval", -10, 10, 0.05), seed },
      };
    case "variancescaling": {
      const dist = c.oneOf("distribution", ["normal", "uniform", "truncated_normal", "untruncated_normal"], "truncated_normal");
      return {
        class_name: "VarianceScaling",
        config: {
          scale: c.num("scale", 1e-6, 100, 1),
          mode: c.oneOf("mode", ["fan_in", "fan_out", "fan_avg"], "fan_in"),
          // TF.js has no untruncated normal; its "normal" is the closest.
          distribution: dist === "untruncated_normal" ? "normal" : dist,
          seed,
        },
      };
    }
    case "orthogonal":
      return { class_name: "Orthogonal", config: { gain: c.num("gain", 1e-6, 10, 1), seed } };
    default:
      throw new ValidationError(
        `${r.label} \`${field}\` must be one of the initializers ${INITIALIZER_NAMES.join(", ")}, got ${describe(r.raw(field))}`,
        r.at(field),
      );
  }
}

export function regularizer(r: Reader, field: string): JsonObject | null {
  const found = classAndConfig(r, field, "a regularizer (l1, l2, l1_l2)");
  if (!found) return null;
  const name = key(found.name);
  const c = found.config;
  // Keras's string shortcuts default to 0.01, as does TF.js's L1L2.
  if (name === "l1") return l1l2(c.num("l1", 0, 1, 0.01), 0);
  if (name === "l2") return l1l2(0, c.num("l2", 0, 1, 0.01));
  if (name === "l1l2") return l1l2(c.num("l1", 0, 1, 0), c.num("l2", 0, 1, 0));
  return r.fail(field, "one of the regularizers l1, l2, l1_l2", r.raw(field));
}

function l1l2(l1: number, l2: number): JsonObject {
  return { class_name: "L1L2", config: { l1, l2 } };
}

export function constraint(r: Reader, field: string): JsonObject | null {
  const found = classAndConfig(r, field, "a constraint (max_norm, unit_norm, non_neg, min_max_norm)");
  if (!found) return null;
  const c = found.config;
  const axis = (): number => c.int("axis", -4, 3, 0);
  switch (key(found.name)) {
    case "maxnorm":
      return { class_name: "MaxNorm", config: { max_value: c.num("max_value", 1e-6, 1000, 2), axis: axis() } };
    case "unitnorm":
      return { class_name: "UnitNorm", config: { axis: axis() } };
    case "nonneg":
      return { class_name: "NonNeg", config: {} };
    case "minmaxnorm":
      return {
        class_name: "MinMaxNorm",
        config: {
          min_value: c.num("min_value", 0, 1000, 0),
          max_value: c.num("max_value", 0, 1000, 1),
          rate: c.num("rate", 0, 1, 1),
          axis: axis(),
        },
      };
    default:
      return r.fail(field, "one of the constraints max_norm, unit_norm, non_neg, min_max_norm", r.raw(field));
  }
}
