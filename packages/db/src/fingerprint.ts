import { createHash } from "node:crypto";
import { type ModelSpec, TrainingConfig } from "@stepwise/core/contracts";
import type { z } from "zod";

/**
 * A canonical fingerprint of a submitted model: two submissions get the same one when they train the
 * same topology with the same settings, whatever the layers are called and whatever seeds their
 * initializers name. It is evidence for an instructor (who submitted identical work), never a grade.
 */

/** Keys whose string values (or arrays of them) refer to layers by name. */
const NAME_REFERENCES = new Set(["name", "inbound_nodes", "input_layers", "output_layers", "keras_history", "layers_names"]);
/** Keys that never change what trains: seeds, and metadata of the library that wrote the JSON. */
const IGNORED = new Set(["seed", "keras_version", "backend", "generated_by", "convertedBy"]);

/** What a fingerprint reads of a submission; training settings may leave their defaults out. */
export interface Fingerprinted {
  model?: ModelSpec | undefined;
  training?: z.input<typeof TrainingConfig> | undefined;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Layer (and model) names in the order they first appear, depth first: the order gives each its alias. */
function layerNames(node: unknown, into: Map<string, string>): Map<string, string> {
  if (Array.isArray(node)) {
    for (const item of node) layerNames(item, into);
  } else if (isRecord(node)) {
    const config = node.config;
    if (typeof node.class_name === "string" && isRecord(config) && typeof config.name === "string" && !into.has(config.name))
      into.set(config.name, `layer_${into.size}`);
    for (const value of Object.values(node)) layerNames(value, into);
  }
  return into;
}

/** Renames layer references and drops ignored keys; object keys come out sorted, so equal models serialize equally. */
function normalise(node: unknown, names: ReadonlyMap<string, string>, referring: boolean): Json {
  if (typeof node === "string") return referring ? (names.get(node) ?? node) : node;
  if (typeof node === "number" || typeof node === "boolean" || node === null) return node;
  if (Array.isArray(node)) return node.map((item) => normalise(item, names, referring));
  if (!isRecord(node)) return null;
  const out: { [key: string]: Json } = {};
  for (const key of Object.keys(node).sort()) {
    if (IGNORED.has(key) || node[key] === undefined) continue;
    out[key] = normalise(node[key], names, referring || NAME_REFERENCES.has(key));
  }
  return out;
}

/** The canonical text a fingerprint hashes: format, normalised topology and training settings with their defaults filled in. */
export function canonicalModel(payload: Fingerprinted): string | null {
  if (!payload.model) return null;
  let topology: unknown = payload.model.topology;
  if (typeof topology === "string") {
    try {
      topology = JSON.parse(topology);
    } catch {
      // Unparseable text cannot be normalised; identical text is still identical work.
    }
  }
  const names = layerNames(topology, new Map());
  const training = payload.training ? TrainingConfig.parse(payload.training) : null;
  return JSON.stringify(normalise({ format: payload.model.format, topology, training }, names, false));
}

/** sha256 (hex) of `canonicalModel`; null for a submission without a model (answer steps). */
export function submissionFingerprint(payload: Fingerprinted): string | null {
  const text = canonicalModel(payload);
  return text === null ? null : createHash("sha256").update(text).digest("hex");
}
