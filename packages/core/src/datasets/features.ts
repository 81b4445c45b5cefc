import { ValidationError } from "../contracts/errors";
import type { FeatureSelection } from "../contracts/training";

/** Encoded rows of a table: `width` floats per row, named by `featureNames` (`column` or `column=category`). */
export interface EncodedRows {
  inputs: Float32Array;
  width: number;
  featureNames: readonly string[];
}

/** The table column an encoded input belongs to: `employment=none` → `employment`. */
const columnOf = (featureName: string): string => {
  const eq = featureName.indexOf("=");
  return eq === -1 ? featureName : featureName.slice(0, eq);
};

/**
 * The encoded columns kept when the student drops the table columns `selection.drop`. A name that
 * is not an input column is refused with the column named and the columns there are; so is leaving
 * no input at all. `target` names the predicted column for a clearer message when it is named.
 */
export function keptFeatures(
  featureNames: readonly string[],
  selection: FeatureSelection | undefined,
  context: { file: string; target?: string },
): number[] {
  const all = featureNames.map((_, i) => i);
  const drop = selection?.drop ?? [];
  if (drop.length === 0) return all;
  const columns = [...new Set(featureNames.map(columnOf))];
  for (const name of drop) {
    if (columns.includes(name)) continue;
    if (name === context.target)
      throw new ValidationError(
        `\`${name}\` is the target of ${context.file}, not an input column: it cannot be dropped.`,
        "training.features.drop",
      );
    throw new ValidationError(
      `features.drop names \`${name}\`, which is not an input column of ${context.file}; its input columns are ${columns.map((c) => `\`${c}\``).join(", ")}.`,
      "training.features.drop",
    );
  }
  const dropped = new Set(drop);
  const kept = all.filter((i) => !dropped.has(columnOf(featureNames[i] ?? "")));
  if (kept.length === 0)
    throw new ValidationError(`features.drop leaves no input column of ${context.file}: keep at least one.`, "training.features.drop");
  return kept;
}

/**
 * Encoded rows with the dropped columns left out: the one function the browser preview and the grader
 * both apply, so a model previewed on the reduced table is graded on the same one.
 */
export function selectFeatures(
  rows: EncodedRows,
  selection: FeatureSelection | undefined,
  context: { file: string; target?: string },
): EncodedRows {
  const kept = keptFeatures(rows.featureNames, selection, context);
  if (kept.length === rows.width) return rows;
  const n = rows.width === 0 ? 0 : Math.floor(rows.inputs.length / rows.width);
  const inputs = new Float32Array(n * kept.length);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < kept.length; c++) inputs[r * kept.length + c] = rows.inputs[r * rows.width + (kept[c] ?? 0)] ?? 0;
  }
  return { inputs, width: kept.length, featureNames: kept.map((i) => rows.featureNames[i] ?? "") };
}
