import type { ModelSpec } from "@stepwise/core/contracts";

/** The largest model file read in the browser; the server caps the topology at 256 KB anyway. */
export const MAX_MODEL_FILE_BYTES = 256 * 1024;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Reads an uploaded model file as a submission's `model`. Accepts Keras `model.to_json()` output,
 * TF.js `model.toJSON()` output, or a TF.js `model.json` (whose topology sits under `modelTopology`;
 * any weights manifest is dropped — the grader trains from scratch). Keras is told apart from TF.js
 * by `keras_version`, which TF.js writes as "tfjs-layers …".
 */
export function parseModelFile(text: string, fileName: string): ModelSpec {
  if (text.length > MAX_MODEL_FILE_BYTES)
    throw new Error(
      `${fileName} is ${Math.round(text.length / 1024)} KB; model files are limited to ${MAX_MODEL_FILE_BYTES / 1024} KB (the topology only, no weights).`,
    );
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new Error(`${fileName} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  const topology = isObject(parsed) && isObject(parsed.modelTopology) ? parsed.modelTopology : parsed;
  if (!isObject(topology) || typeof topology.class_name !== "string" || !isObject(topology.config)) {
    throw new Error(
      `${fileName} does not look like a model: expected an object with "class_name" and "config" (from Keras model.to_json() or TF.js model.toJSON()).`,
    );
  }
  const version = typeof topology.keras_version === "string" ? topology.keras_version : "";
  return { format: version.startsWith("tfjs") ? "tfjs" : "keras", topology };
}
