import { ValidationError } from "../contracts/errors";
import { isObject, type Json, type JsonObject } from "./json";
import type { ModelLimits } from "./limits";
import { describe, Reader } from "./read";

/** One layer as written in the file, before its config is validated. */
export interface RawLayer {
  className: string;
  name: string | undefined;
  config: Reader;
}

/**
 * Every supported format reduced to one shape: a chain from one input to one output. Whitelisted
 * layers all take one tensor, so a functional model with one input and one output is a chain.
 */
export interface Chain {
  name: string | undefined;
  /** Per-example input shape (batch axis removed), if the file declares one. */
  inputShape: Json | undefined;
  layers: RawLayer[];
}

/**
 * Accepts TF.js `model.toJSON()` (or a `model.json` artifact with `modelTopology`), Keras 2
 * `to_json()` (list-form `inbound_nodes`) and Keras 3 (`module`/`registered_name`, `{args, kwargs}`
 * nodes, `batch_shape`). Reference resolution is iterative and checks every name, because TF.js's
 * own loader loops forever on a functional model naming a missing layer (tfjs issue #7271).
 */
export function toChain(root: Json, limits: ModelLimits): Chain {
  let top = root;
  if (isObject(top) && "modelTopology" in top) top = top.modelTopology ?? null;
  if (isObject(top) && "model_config" in top) top = top.model_config ?? null;
  const model = Reader.of(top, "", "model");
  const className = model.raw("class_name");
  const config = model.raw("config");
  const layersJson = Array.isArray(config) ? config : isObject(config) ? config.layers : undefined;
  if (!Array.isArray(layersJson)) {
    throw new ValidationError(`model \`config.layers\` must be a list of layers, got ${describe(layersJson)}`, "config.layers");
  }
  if (layersJson.length > limits.maxLayers + 1) {
    throw new ValidationError(`a model may have at most ${limits.maxLayers} layers, got ${layersJson.length}`, "config.layers");
  }
  const name = isObject(config) && typeof config.name === "string" ? config.name : undefined;
  const buildConfig = isObject(model.obj.build_config) ? model.obj.build_config : undefined;
  const fallbackShape = batchless(buildConfig?.input_shape);
  if (className === "Sequential") return sequential(layersJson, name, fallbackShape);
  if (className === "Model" || className === "Functional") {
    return functional(Reader.of(config, "config", "model config"), layersJson, name);
  }
  throw new ValidationError(`model \`class_name\` must be "Sequential", "Model" or "Functional", got ${describe(className)}`, "class_name");
}

function rawLayer(entry: Json, path: string): RawLayer {
  const layer = Reader.of(entry, path, "layer");
  const className = layer.raw("class_name");
  if (typeof className !== "string") return layer.fail("class_name", "a layer class name", className);
  const config = Reader.of(layer.raw("config") ?? {}, layer.at("config"), className);
  const name = typeof layer.obj.name === "string" ? layer.obj.name : typeof config.obj.name === "string" ? config.obj.name : undefined;
  return { className, name, config };
}

/** `batch_input_shape` / `batch_shape` minus the batch axis. */
export function batchless(shape: Json | undefined): Json | undefined {
  return Array.isArray(shape) ? shape.slice(1) : undefined;
}

function declaredInput(layer: RawLayer): Json | undefined {
  const c = layer.config.obj;
  return batchless(c.batch_input_shape ?? c.batch_shape) ?? (Array.isArray(c.input_shape) ? c.input_shape : undefined);
}

function sequential(entries: Json[], name: string | undefined, fallbackShape: Json | undefined): Chain {
  const all = entries.map((e, i) => rawLayer(e, `config.layers[${i}]`));
  const first = all[0];
  let inputShape = first ? declaredInput(first) : undefined;
  const layers = all.filter((l) => l.className !== "InputLayer");
  if (
    all.filter((l) => l.className === "InputLayer").length > 1 ||
    (first && first.className !== "InputLayer" && layers.length !== all.length)
  ) {
    throw new ValidationError("a Sequential model may have one InputLayer, and only as its first layer", "config.layers");
  }
  inputShape ??= fallbackShape;
  return { name, inputShape, layers };
}

function functional(config: Reader, entries: Json[], name: string | undefined): Chain {
  const byName = new Map<string, { layer: RawLayer; inbound: string | undefined; path: string }>();
  entries.forEach((entry, i) => {
    const path = `config.layers[${i}]`;
    const layer = rawLayer(entry, path);
    if (layer.name === undefined) throw new ValidationError("every layer of a functional model needs a `name`", path);
    if (byName.has(layer.name)) throw new ValidationError(`layer names must be unique, "${layer.name}" appears twice`, path);
    const nodes = isObject(entry) ? entry.inbound_nodes : undefined;
    byName.set(layer.name, { layer, inbound: inboundOf(nodes ?? [], `${path}.inbound_nodes`, layer), path });
  });
  const inputName = single(config.raw("input_layers"), "config.input_layers", "input");
  const outputName = single(config.raw("output_layers"), "config.output_layers", "output");
  const chain: RawLayer[] = [];
  const seen = new Set<string>();
  let current: string | undefined = outputName;
  // Walk back from the output; `seen` bounds the loop, so a cycle cannot spin.
  while (current !== undefined) {
    const node = byName.get(current);
    if (!node) throw new ValidationError(`the model refers to a layer named "${current}" that does not exist`, "config.layers");
    if (seen.has(current)) throw new ValidationError(`the layer graph has a cycle through "${current}"`, node.path);
    seen.add(current);
    chain.push(node.layer);
    if (current === inputName) break;
    if (node.inbound === undefined) {
      throw new ValidationError(`layer "${current}" has no input but is not the model input "${inputName}"`, node.path);
    }
    current = node.inbound;
  }
  const unused = [...byName.keys()].filter((n) => !seen.has(n));
  if (unused.length > 0) {
    throw new ValidationError(
      `layers not between the input and the output are not supported: ${unused.slice(0, 5).join(", ")}`,
      "config.layers",
    );
  }
  chain.reverse();
  const input = chain[0];
  if (!input) throw new ValidationError("the model has no layers", "config.layers");
  const layers = input.className === "InputLayer" ? chain.slice(1) : chain;
  return { name, inputShape: declaredInput(input), layers };
}

/** Name of the one layer feeding this one, or undefined for an input. */
function inboundOf(nodes: Json, path: string, layer: RawLayer): string | undefined {
  if (!Array.isArray(nodes)) throw new ValidationError(`\`inbound_nodes\` must be a list, got ${describe(nodes)}`, path);
  if (nodes.length === 0) return undefined;
  if (nodes.length > 1) {
    throw new ValidationError(`layer "${layer.name}" is called ${nodes.length} times; shared layers are not supported`, path);
  }
  const node = nodes[0] ?? null;
  // Keras 2 / TF.js: [[name, nodeIndex, tensorIndex, kwargs], ...]; Keras 3: {args: [keras_tensor], kwargs}.
  const refs: Json[] = Array.isArray(node) ? node : isObject(node) && Array.isArray(node.args) ? node.args : [];
  const names = refs.map((ref, i) => refName(ref, `${path}[0][${i}]`));
  if (names.length !== 1 || names[0] === undefined) {
    throw new ValidationError(`layer "${layer.name}" must take exactly one input tensor, got ${names.length}`, path);
  }
  return names[0];
}

function refName(ref: Json, path: string): string {
  let history: Json = ref;
  if (isObject(ref)) {
    const cfg: JsonObject | undefined = isObject(ref.config) ? ref.config : undefined;
    history = cfg?.keras_history ?? null;
  }
  if (Array.isArray(history) && typeof history[0] === "string") return history[0];
  throw new ValidationError(`an inbound reference must name a layer, got ${describe(ref)}`, path);
}

function single(value: Json | undefined, path: string, what: string): string {
  // [[name, 0, 0]] (Keras 2, TF.js) or [name, 0, 0] (Keras 3 with one input).
  const refs = Array.isArray(value) && typeof value[0] === "string" ? [value] : value;
  if (!Array.isArray(refs) || refs.length !== 1) {
    throw new ValidationError(`the model must have exactly one ${what}, got ${describe(value)}`, path);
  }
  const ref = refs[0];
  if (!Array.isArray(ref) || typeof ref[0] !== "string") {
    throw new ValidationError(`the model ${what} must name a layer, got ${describe(ref)}`, path);
  }
  return ref[0];
}
