/**
 * CSV datasets through the grader's real path: a claimed job, the parent encoding the table, a
 * sandboxed training child, the verdict. A recording pool keeps every message sent to a child, so
 * the invariant is checked where it matters: the child gets training rows and test inputs, never
 * test labels.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SubmissionPayload, Verdict } from "@stepwise/core/contracts";
import { claimJob, createAssignment, createDataset, migrate, openDb, type Db } from "@stepwise/db";
import { builtInDataDir } from "@stepwise/exercises/answers";
import { csvGrading } from "@stepwise/exercises/grading";
import { solutions } from "@stepwise/exercises/solutions";
import { gradeInProcess, RecordingPool, studentWithAssignment, submit, tmpDbUrl } from "./helpers";

const creditText = readFileSync(join(builtInDataDir, "credit-default.csv"), "utf8");
const housesText = readFileSync(join(builtInDataDir, "house-prices.csv"), "utf8");

function kfold(payload: SubmissionPayload | undefined, folds: number, epochs: number): SubmissionPayload {
  if (!payload?.training) throw new Error("a reference solution with training settings is missing");
  return { ...payload, training: { ...payload.training, fit: { ...payload.training.fit, epochs }, validation: { kind: "kfold", folds } } };
}

/** Every typed array inside a message, with where it sits. */
function typedArrays(value: unknown, path = "request"): Array<{ path: string; array: ArrayLike<number> }> {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return [{ path, array: value as unknown as ArrayLike<number> }];
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([key, inner]) => typedArrays(inner, `${path}.${key}`));
}

describe("grader: CSV datasets, trained in a real child", () => {
  let db: Db;
  let url: string;
  beforeAll(async () => {
    url = tmpDbUrl();
    db = await openDb(url);
    await migrate(db);
  });
  afterAll(async () => {
    await db.close();
  });

  async function grade(exerciseId: string, payload: SubmissionPayload, setup?: (courseId: string, userId: string) => Promise<string>) {
    const { student, course, assignment } = await studentWithAssignment(db, exerciseId);
    const assignmentId = setup ? await setup(course.id, student.id) : assignment.id;
    const { submission } = await submit(db, { assignmentId, userId: student.id }, payload);
    const claimed = await claimJob(db, { workerId: "csv-test", leaseMs: 60_000, now: Date.now() });
    if (claimed?.submission.id !== submission.id) throw new Error("expected to claim the submission just made");
    const pool = new RecordingPool();
    try {
      const verdict = await gradeInProcess(claimed, db, url, pool);
      return { verdict, sent: pool.sent };
    } finally {
      pool.close();
    }
  }

  it("credit, 3-fold: per-fold accuracy with mean ± std, and the child never receives a test label", async () => {
    const { verdict, sent } = await grade("credit-beat-baseline", kfold(solutions["credit-beat-baseline"]?.reference, 3, 8));
    expect(verdict.status, verdict.summary).toBe("passed");
    expect(Object.keys(verdict.metrics)).toEqual(
      expect.arrayContaining(["fold1", "fold2", "fold3", "kfoldMean", "kfoldStd", "precision", "recall", "f1"]),
    );
    expect(verdict.summary).toMatch(/K-fold \(K = 3\) validation accuracy 0\.\d{3} ± 0\.\d{3}/);
    // One child for the whole K-fold run (3 fold models and the final one); curves are the fold means.
    expect(sent).toHaveLength(1);
    expect(verdict.curves.history).toHaveLength(8);

    const request = sent[0];
    const csv = request?.csv;
    if (!csv) throw new Error("the child got no CSV rows");
    const { testLabels, facts } = csvGrading(
      creditText,
      { kind: "csv", file: "credit-default.csv", target: "default", task: "binary" },
      { seed: 1337, slice: {} },
    );
    expect(facts).toMatchObject({ trainSize: 1_600, testSize: 400, inputSize: 17 });
    expect(csv.trainLabels).toHaveLength(1_600);
    expect(csv.testInputs).toHaveLength(400 * 17);
    // Nothing test-sized but the inputs: no array anywhere in the message holds one value per test row.
    const arrays = typedArrays(request);
    expect(arrays.map((a) => a.path).sort()).toEqual(["request.csv.testInputs", "request.csv.trainInputs", "request.csv.trainLabels"]);
    expect(arrays.filter((a) => a.array.length === testLabels.length)).toEqual([]);
  });

  it("a dataset uploaded into the course is read from the database (regression, prices scored in euros)", async () => {
    // 900 rows of the house table under a name no file on disk has.
    const homes = housesText.split("\n").slice(0, 901).join("\n");
    const { verdict, sent } = await grade(
      "houses-beat-baseline",
      kfold(solutions["houses-beat-baseline"]?.reference, 2, 15),
      async (courseId, userId) => {
        await createDataset(db, { courseId, file: "data/homes.csv", csv: homes, createdBy: userId }, Date.now());
        const dataset = { kind: "csv", file: "data/homes.csv", target: "price", task: "regression" };
        return (
          await createAssignment(
            db,
            {
              courseId,
              exerciseId: "houses-beat-baseline",
              title: "Homes",
              overrides: { dataset },
              deadline: null,
              attemptsAllowed: null,
              position: 5,
            },
            Date.now(),
          )
        ).id;
      },
    );
    expect(verdict.status, verdict.summary).toBe("passed");
    expect(sent[0]?.csv?.trainLabels).toHaveLength(720);
    expect(sent[0]?.csv?.targetScale?.mean).toBeGreaterThan(100_000);
    expect(verdict.metrics.testMae?.value).toBeGreaterThan(10_000);
    expect(verdict.metrics.kfoldMean?.label).toMatch(/MAE, mean over 2 folds/);
  });

  it("the course's upload comes before the built-in file of the same name", async () => {
    // A different credit-default.csv: five columns, so the built-in model's 17 inputs fit no encoding of it.
    const mine = `age,income,region,default\n${Array.from({ length: 40 }, (_, i) => `${20 + i},${30_000 + 500 * i},${["north", "south"][i % 2] ?? ""},${i % 3 === 0 ? 1 : 0}`).join("\n")}\n`;
    const { verdict, sent } = await grade(
      "credit-beat-baseline",
      solutions["credit-beat-baseline"]?.reference as SubmissionPayload,
      async (courseId, userId) => {
        await createDataset(db, { courseId, file: "credit-default.csv", csv: mine, createdBy: userId }, Date.now());
        return (
          await createAssignment(
            db,
            {
              courseId,
              exerciseId: "credit-beat-baseline",
              title: "Mine",
              overrides: {},
              deadline: null,
              attemptsAllowed: null,
              position: 5,
            },
            Date.now(),
          )
        ).id;
      },
    );
    expect(verdict.status).toBe("invalid");
    expect(verdict.summary).toMatch(/fits no encoding of credit-default\.csv; accepted: \[\d+\]/);
    expect(sent).toEqual([]);
  });

  it("a CSV that is neither uploaded nor built in is the exercise's fault: an error verdict, no training", async () => {
    const { verdict, sent } = await grade(
      "credit-beat-baseline",
      solutions["credit-beat-baseline"]?.reference as SubmissionPayload,
      async (courseId) => {
        const dataset = { kind: "csv", file: "data/missing.csv", target: "default", task: "binary" };
        return (
          await createAssignment(
            db,
            {
              courseId,
              exerciseId: "credit-beat-baseline",
              title: "Missing",
              overrides: { dataset },
              deadline: null,
              attemptsAllowed: null,
              position: 5,
            },
            Date.now(),
          )
        ).id;
      },
    );
    expect(verdict.status satisfies Verdict["status"]).toBe("error");
    expect(verdict.summary).toMatch(/could not be read/);
    expect(sent).toEqual([]);
  });
});
