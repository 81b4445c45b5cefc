/**
 * The mistakes gallery, regraded: every submission gets the status and the diagnostic (or failed
 * check) the gallery promises, through the grader's own path on small real slices.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend, type BackendInfo } from "@stepwise/core/backend";
import { getExercise, withOverrides } from "../src";
import { builtInDataDir } from "../src/answers";
import { MISTAKES, type Mistake } from "../src/gallery";
import { gradeLocally } from "../src/grading";

const cacheDir = join(import.meta.dirname, "..", "..", "..", "data", "cache");

let backend: BackendInfo;
beforeAll(async () => {
  backend = await initBackend();
});

function exerciseOf(mistake: Mistake) {
  const exercise = getExercise(mistake.exerciseId);
  const target = mistake.target === undefined ? exercise : { ...exercise, target: mistake.target };
  if (!mistake.csv || exercise.dataset.kind !== "csv") return { exercise: target };
  const text = mistake.csv.transform(readFileSync(join(builtInDataDir, exercise.dataset.file), "utf8"));
  return { exercise: withOverrides(target, { dataset: { ...exercise.dataset, file: mistake.csv.file } }), csvText: text };
}

describe("the mistakes gallery", () => {
  it("has one entry per id, and every entry's exercise exists", () => {
    expect(new Set(MISTAKES.map((m) => m.id)).size).toBe(MISTAKES.length);
    for (const mistake of MISTAKES) expect(getExercise(mistake.exerciseId).id).toBe(mistake.exerciseId);
  });

  it.each(MISTAKES.map((m) => [m.id, m] as const))("%s", async (_id, mistake) => {
    const { exercise, csvText } = exerciseOf(mistake);
    const verdict = await gradeLocally(
      exercise,
      { ...mistake.submission, exerciseId: exercise.id },
      {
        ...backend,
        cacheDir,
        ...(mistake.slice ? { slice: mistake.slice } : {}),
        ...(csvText !== undefined ? { csvText } : {}),
        ...(mistake.previous ? { previous: { ...mistake.previous } } : {}),
      },
    );
    const codes = [...verdict.diagnostics.map((d) => d.code), ...verdict.checks.filter((c) => !c.passed).map((c) => c.id)];
    expect(verdict.status, verdict.summary).toBe(mistake.expected.status);
    expect(codes, verdict.summary).toContain(mistake.expected.code);
  });
});
