import { ValidationError } from "../contracts/errors";
import type { JsonObject } from "./json";
import type { ModelLimits } from "./limits";
import { activation, constraint, initializer, regularizer } from "./objects";
import type { Reader } from "./read";
import { expectRank, product, spatialOutput } from "./shapes";

/** What a layer rule computes: the TF.js config (snake_case, no name) and our own shape inference. */
export interface LayerResult {
  config: JsonObject;
  output: number[];
  params: number;
  /** Multiply-adds of the forward pass for one example. */
  flops: number;
}

type Rule = (r: Reader, input: number[], limits: ModelLimits) => LayerResult;

const PADDINGS = ["valid", "same"] as const;

function channelsLast(r: Reader): void {
  r.only("data_format", ["channels_last"], 'must be "channels_last" (TF.js on CPU/wasm supports no other)');
}

function weights(r: Reader, prefix: string, fallbackInit: string): JsonObject {
  return {
    [`${prefix}_initializer`]: initializer(r, `${prefix}_initializer`, fallbackInit),
    [`${prefix}_regularizer`]: regularizer(r, `${prefix}_regularizer`),
    [`${prefix}_constraint`]: constraint(r, `${prefix}_constraint`),
  };
}

const dense: Rule = (r, input, limits) => {
  if (input.length < 1) throw new ValidationError("Dense needs an input with at least one axis", r.path);
  const units = r.int("units", 1, limits.maxUnits);
  const useBias = r.bool("use_bias", true);
  const d = input[input.length - 1] ?? 1;
  const outer = product(input.slice(0, -1));
  return {
    config: {
      units,
      activation: activation(r, "activation", "linear"),
      use_bias: useBias,
      ...weights(r, "kernel", "glorot_uniform"),
      ...weights(r, "bias", "zeros"),
      activity_regularizer: regularizer(r, "activity_regularizer"),
    },
    output: [...input.slice(0, -1), units],
    params: d * units + (useBias ? units : 0),
    flops: outer * d * units,
  };
};

function conv(dims: 1 | 2): Rule {
  const className = `Conv${dims}D`;
  return (r, input, limits) => {
    expectRank(className, input, dims + 1, dims === 1 ? "steps, channels" : "height, width, channels", r.path);
    channelsLast(r);
    r.only("groups", [1], "must be 1");
    const filters = r.int("filters", 1, limits.maxFilters);
    const kernel = r.tuple("kernel_size", dims, 1, limits.maxKernelSize);
    const strides = r.tuple("strides", dims, 1, limits.maxStrides, new Array<number>(dims).fill(1));
    const dilation = r.tuple("dilation_rate", dims, 1, 1, new Array<number>(dims).fill(1));
    const padding = r.oneOf("padding", PADDINGS, "valid");
    const useBias = r.bool("use_bias", true);
    const channels = input[dims] ?? 1;
    const spatial = spatialOutput(className, input.slice(0, dims), kernel, strides, padding, r.path);
    const window = product(kernel) * channels * filters;
    return {
      config: {
        filters,
        kernel_size: kernel,
        strides,
        padding,
        data_format: "channels_last",
        dilation_rate: dims === 1 ? (dilation[0] ?? 1) : dilation,
        activation: activation(r, "activation", "linear"),
        use_bias: useBias,
        ...weights(r, "kernel", "glorot_uniform"),
        ...weights(r, "bias", "zeros"),
        activity_regularizer: regularizer(r, "activity_regularizer"),
      },
      output: [...spatial, filters],
      params: window + (useBias ? filters : 0),
      flops: product(spatial) * window,
    };
  };
}

function pooling(dims: 1 | 2, className: string): Rule {
  return (r, input, limits) => {
    expectRank(className, input, dims + 1, dims === 1 ? "steps, channels" : "height, width, channels", r.path);
    channelsLast(r);
    const pool = r.tuple("pool_size", dims, 1, limits.maxPoolSize, new Array<number>(dims).fill(2));
    const strides = r.tuple("strides", dims, 1, limits.maxStrides, pool);
    const padding = r.oneOf("padding", PADDINGS, "valid");
    const spatial = spatialOutput(className, input.slice(0, dims), pool, strides, padding, r.path);
    const output = [...spatial, input[dims] ?? 1];
    const config: JsonObject = { pool_size: pool, strides, padding };
    if (dims === 2) config.data_format = "channels_last";
    return { config, output, params: 0, flops: product(output) * product(pool) };
  };
}

function globalPooling(dims: 1 | 2, className: string): Rule {
  return (r, input) => {
    expectRank(className, input, dims + 1, dims === 1 ? "steps, channels" : "height, width, channels", r.path);
    channelsLast(r);
    r.only("keepdims", [false], "must be false");
    return { config: { data_format: "channels_last" }, output: [input[dims] ?? 1], params: 0, flops: product(input) };
  };
}

function recurrent(className: "SimpleRNN" | "LSTM" | "GRU", gates: number): Rule {
  return (r, input, limits) => {
    expectRank(className, input, 2, "timesteps, features", r.path);
    for (const flag of ["return_state", "stateful", "unroll", "time_major"]) r.only(flag, [false], "must be false");
    if (className === "GRU") {
      r.only("reset_after", [false], "must be false: TF.js's GRU has no reset_after=True (the Keras default); set reset_after=False");
    }
    const units = r.int("units", 1, limits.maxUnits);
    const useBias = r.bool("use_bias", true);
    const returnSequences = r.bool("return_sequences", false);
    const [steps = 1, features = 1] = input;
    const config: JsonObject = {
      units,
      activation: activation(r, "activation", "tanh"),
      use_bias: useBias,
      ...weights(r, "kernel", "glorot_uniform"),
      ...weights(r, "recurrent", "orthogonal"),
      ...weights(r, "bias", "zeros"),
      activity_regularizer: regularizer(r, "activity_regularizer"),
      dropout: r.num("dropout", 0, 1, 0, { maxExclusive: true }),
      recurrent_dropout: r.num("recurrent_dropout", 0, 1, 0, { maxExclusive: true }),
      return_sequences: returnSequences,
      go_backwards: r.bool("go_backwards", false),
    };
    if (className !== "SimpleRNN") config.recurrent_activation = activation(r, "recurrent_activation", "sigmoid");
    if (className === "LSTM") config.unit_forget_bias = r.bool("unit_forget_bias", true);
    if (className === "GRU") config.reset_after = false;
    return {
      config,
      output: returnSequences ? [steps, units] : [units],
      params: gates * (units * (features + units) + (useBias ? units : 0)),
      flops: steps * gates * units * (features + units),
    };
  };
}

export const LAYER_RULES: Record<string, Rule> = {
  Dense: dense,
  Conv1D: conv(1),
  Conv2D: conv(2),
  MaxPooling1D: pooling(1, "MaxPooling1D"),
  MaxPooling2D: pooling(2, "MaxPooling2D"),
  AveragePooling1D: pooling(1, "AveragePooling1D"),
  AveragePooling2D: pooling(2, "AveragePooling2D"),
  GlobalAveragePooling1D: globalPooling(1, "GlobalAveragePooling1D"),
  GlobalAveragePooling2D: globalPooling(2, "GlobalAveragePooling2D"),
  GlobalMaxPooling1D: globalPooling(1, "GlobalMaxPooling1D"),
  GlobalMaxPooling2D: globalPooling(2, "GlobalMaxPooling2D"),
  SimpleRNN: recurrent("SimpleRNN", 1),
  LSTM: recurrent("LSTM", 4),
  GRU: recurrent("GRU", 3),
  Flatten: (r, input) => {
    // TF.js (unlike Keras) rejects Flatten on an input that is already flat.
    if (input.length < 2) {
      throw new ValidationError(
        `Flatten needs an input with at least 2 axes per example, got [${input.join(", ")}]; it is already flat, remove the Flatten`,
        r.path,
      );
    }
    return { config: {}, output: [product(input)], params: 0, flops: 0 };
  },
  Activation: (r, input) => ({
    config: { activation: activation(r, "activation", "linear") },
    output: input,
    params: 0,
    flops: product(input),
  }),
  Dropout: (r, input) => {
    r.only("noise_shape", [], "is not supported");
    // The seed is ours to set per step (training/loop.ts); a fixed one would repeat one mask.
    return { config: { rate: r.num("rate", 0, 1, undefined, { maxExclusive: true }) }, output: input, params: 0, flops: product(input) };
  },
  BatchNormalization: (r, input) => {
    const rank = input.length;
    const axis = r.raw("axis");
    const last =
      axis === undefined ||
      axis === null ||
      axis === -1 ||
      axis === rank ||
      (Array.isArray(axis) && axis.length === 1 && (axis[0] === -1 || axis[0] === rank));
    if (!last) r.fail("axis", `-1 (the channels axis), or ${rank}`, axis);
    const center = r.bool("center", true);
    const scale = r.bool("scale", true);
    const channels = input[rank - 1] ?? 1;
    return {
      config: {
        axis: -1,
        momentum: r.num("momentum", 0, 1, 0.99),
        epsilon: r.num("epsilon", 1e-12, 1, 1e-3),
        center,
        scale,
        beta_initializer: initializer(r, "beta_initializer", "zeros"),
        gamma_initializer: initializer(r, "gamma_initializer", "ones"),
        moving_mean_initializer: initializer(r, "moving_mean_initializer", "zeros"),
        moving_variance_initializer: initializer(r, "moving_variance_initializer", "ones"),
        beta_regularizer: regularizer(r, "beta_regularizer"),
        gamma_regularizer: regularizer(r, "gamma_regularizer"),
        beta_constraint: constraint(r, "beta_constraint"),
        gamma_constraint: constraint(r, "gamma_constraint"),
      },
      output: input,
      params: channels * ((center ? 1 : 0) + (scale ? 1 : 0) + 2),
      flops: product(input) * 2,
    };
  },
  Embedding: (r, input, limits) => {
    expectRank("Embedding", input, 1, "sequence length", r.path);
    const inputDim = r.int("input_dim", 1, limits.maxEmbeddingInputDim);
    const outputDim = r.int("output_dim", 1, limits.maxEmbeddingOutputDim);
    const length = input[0] ?? 1;
    return {
      config: {
        input_dim: inputDim,
        output_dim: outputDim,
        embeddings_initializer: initializer(r, "embeddings_initializer", "random_uniform"),
        embeddings_regularizer: regularizer(r, "embeddings_regularizer"),
        embeddings_constraint: constraint(r, "embeddings_constraint"),
        activity_regularizer: regularizer(r, "activity_regularizer"),
        mask_zero: r.bool("mask_zero", false),
      },
      output: [length, outputDim],
      params: inputDim * outputDim,
      flops: length * outputDim,
    };
  },
  Reshape: (r, input, limits) => {
    const target = r.raw("target_shape");
    if (
      !Array.isArray(target) ||
      target.length < 1 ||
      target.length > 4 ||
      !target.every((d) => typeof d === "number" && Number.isInteger(d) && (d === -1 || (d >= 1 && d <= limits.maxDimension))) ||
      target.filter((d) => d === -1).length > 1
    ) {
      r.fail("target_shape", `a list of 1 to 4 positive integers (at most one -1)`, target);
    }
    const dims = target as number[];
    const known = product(dims.filter((d) => d !== -1));
    const size = product(input);
    const output = dims.map((d) => (d === -1 ? size / known : d));
    if (product(output) !== size || !output.every(Number.isInteger)) {
      throw new ValidationError(
        `Reshape cannot turn [${input.join(", ")}] (${size} values) into [${dims.join(", ")}]`,
        r.at("target_shape"),
      );
    }
    return { config: { target_shape: output }, output, params: 0, flops: 0 };
  },
};

export const LAYER_CLASSES = [...Object.keys(LAYER_RULES), "InputLayer"];
