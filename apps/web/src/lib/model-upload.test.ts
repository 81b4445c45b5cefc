import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseModelFile } from "./model-upload";

const tfjsTopology = JSON.parse(readFileSync(new URL("../../test/fixtures/dense-784-32-10.json", import.meta.url), "utf8")) as Record<
  string,
  unknown
>;
const kerasTopology = { class_name: "Sequential", config: { name: "seq", layers: [] }, keras_version: "3.4.1", backend: "tensorflow" };

describe("parseModelFile", () => {
  it.each([
    ["TF.js model.toJSON()", tfjsTopology, "tfjs"],
    ["a TF.js model.json with weights manifest", { modelTopology: tfjsTopology, weightsManifest: [{ paths: ["w.bin"] }] }, "tfjs"],
    ["Keras model.to_json()", kerasTopology, "keras"],
  ])("reads %s", (_case, file, format) => {
    const spec = parseModelFile(JSON.stringify(file), "model.json");
    expect(spec.format).toBe(format);
    expect(spec.topology).not.toHaveProperty("weightsManifest");
    expect(spec.topology).toHaveProperty("class_name");
  });

  it.each([
    ["broken JSON", "{oops", /model.json is not valid JSON/],
    ["an array", "[1, 2]", /does not look like a model/],
    ["a huge file", JSON.stringify({ ...kerasTopology, pad: "x".repeat(300_000) }), /limited to 256 KB/],
  ])("refuses %s", (_case, text, message) => {
    expect(() => parseModelFile(text, "model.json")).toThrow(message);
  });
});
