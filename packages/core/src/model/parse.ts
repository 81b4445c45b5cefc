import { BudgetError, ValidationError } from "../contracts/errors";
import type { LayerSummary, ModelSpec, ModelSummary } from "../contracts/model";
import { toBoundedJson, type Json, type JsonObject } from "./json";
import { toChain } from "./keras";
import { LAYER_CLASSES, LAYER_RULES } from "./layers";
import { resolveLimits, type ModelLimits } from "./limits";
import { describe } from "./read";
import { product } from "./shapes";

export interface ParsedModel {
  /** Normalized TF.js Layers JSON (always a Sequential): safe to hand to `tf.models.modelFromJSON`. */
  topology: JsonObject;
  summary: ModelSummary;
}

const CODE_LAYERS = new Set(["Lambda", "TFOpLambda", "SlicingOpLambda", "Custom", "Functional", "Sequential", "Model"]);
const NAME = /^[A-Za-z0-9_.\-/]{1,64}$/;

/**
 * Validates an untrusted model topology completely before TF.js sees it and returns a rebuilt,
 * normalized TF.js topology holding only whitelisted classes and keys, plus our own shape
 * inference. Throws only ValidationError (malformed or unsupported) or BudgetError (too big).
 */
export function parseModelSpec(spec: ModelSpec, limitOverrides?: Partial<ModelLimits>): ParsedModel {
  const limits = resolveLimits(limitOverrides);
  const json = toBoundedJson((spec as { topology?: unknown }).topology, limits);
  const chain = toChain(json, limits);
  if (chain.layers.length === 0) throw new ValidationError("the model has no layers", "config.layers");
  if (chain.layers.length > limits.maxLayers) {
    throw new ValidationError(`a model may have at most ${limits.maxLayers} layers, got ${chain.layers.length}`, "config.layers");
  }
  const first = chain.layers[0];
  let declared = chain.inputShape;
  if (declared === undefined && first?.className === "Embedding" && typeof first.config.obj.input_length === "number") {
    declared = [first.config.obj.input_length];
  }
  const inputShape = checkInputShape(declared, limits);

  const layers: JsonObject[] = [];
  const summaries: LayerSummary[] = [];
  const names = new Set<string>();
  let shape = inputShape;
  let totalParams = 0;
  let flops = 0;
  chain.layers.forEach((layer, i) => {
    // Own keys only: a class named "__proto__" or "constructor" must not find Object's members.
    const rule = Object.hasOwn(LAYER_RULES, layer.className) ? LAYER_RULES[layer.className] : undefined;
    if (!rule) {
      const why = CODE_LAYERS.has(layer.className) ? "runs code or nests models and is not allowed" : "is not supported";
      throw new ValidationError(
        `layer class "${layer.className.slice(0, 64)}" ${why}; allowed: ${LAYER_CLASSES.join(", ")}`,
        `${layer.config.path.replace(/\.config$/, "")}.class_name`,
      );
    }
    const name =
      layer.name !== undefined && NAME.test(layer.name) && !names.has(layer.name)
        ? layer.name
        : `${layer.className.toLowerCase()}_${i + 1}`;
    names.add(name);
    const result = rule(layer.config, shape, limits);
    const elements = product(result.output);
    if (elements > limits.maxActivationElements) {
      throw new ValidationError(
        `${layer.className} "${name}" outputs ${elements.toLocaleString("en-US")} values per example; at most ${limits.maxActivationElements.toLocaleString("en-US")} are allowed`,
        layer.config.path,
      );
    }
    totalParams += result.params;
    if (totalParams > limits.maxParams) {
      throw new BudgetError(
        `the model has at least ${totalParams.toLocaleString("en-US")} parameters by layer "${name}"; at most ${limits.maxParams.toLocaleString("en-US")} are allowed (${(totalParams / limits.maxParams).toFixed(1)}× over)`,
      );
    }
    flops += result.flops;
    const config: JsonObject = { name, trainable: layer.config.bool("trainable", true), dtype: "float32", ...result.config };
    if (i === 0) config.batch_input_shape = [null, ...inputShape];
    layers.push({ class_name: layer.className, config });
    summaries.push({ name, className: layer.className, outputShape: [null, ...result.output], params: result.params });
    shape = result.output;
  });

  const topology: JsonObject = {
    class_name: "Sequential",
    config: { name: chain.name !== undefined && NAME.test(chain.name) ? chain.name : "sequential", layers },
    keras_version: "tfjs-layers 4.22.0",
    backend: "tensor_flow.js",
  };
  return {
    topology,
    summary: {
      layers: summaries,
      inputShape: [null, ...inputShape],
      outputShape: [null, ...shape],
      totalParams,
      trainingFlopsPerExample: 3 * flops,
    },
  };
}

function checkInputShape(shape: Json | undefined, limits: ModelLimits): number[] {
  if (shape === undefined) {
    throw new ValidationError(
      "the model does not declare its input shape: add an InputLayer, or `inputShape`/`batch_input_shape` on the first layer",
      "config.layers[0]",
    );
  }
  if (
    !Array.isArray(shape) ||
    shape.length < 1 ||
    shape.length > 4 ||
    !shape.every((d) => typeof d === "number" && Number.isInteger(d) && d >= 1 && d <= limits.maxDimension)
  ) {
    throw new ValidationError(
      `the input shape must be 1 to 4 known sizes in [1, ${limits.maxDimension}] after the batch axis, got ${describe(shape)}`,
      "config.layers[0]",
    );
  }
  const dims = shape as number[];
  if (product(dims) > limits.maxActivationElements) {
    throw new ValidationError(`the input has ${product(dims)} values per example; at most ${limits.maxActivationElements} are allowed`);
  }
  return dims;
}
