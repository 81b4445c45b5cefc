import type { SubmissionPayload } from "@stepwise/core/contracts";
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import type { Db } from "../src/connection";
import { type JobRow, type SubmissionRow, createSubmissionWithJob } from "../src/index";
import { type Fixture, type TestDb, openTestDb } from "../src/testing";
import type { Dialect } from "../src/connection";

/**
 * A fresh migrated database for each test ("each") or shared by the describe block ("all").
 * Returns a getter because the database opens in a hook.
 */
export function useTestDb(dialect: Dialect, scope: "each" | "all" = "each"): () => TestDb {
  let current: TestDb | undefined;
  const before = scope === "each" ? beforeEach : beforeAll;
  const after = scope === "each" ? afterEach : afterAll;
  before(async () => {
    current = await openTestDb(dialect);
  });
  after(async () => {
    await current?.cleanup();
    current = undefined;
  });
  return () => {
    if (!current) throw new Error("test database is not open: call the getter inside a test");
    return current;
  };
}

export function payload(exerciseId: string): SubmissionPayload {
  return { exerciseId, answers: { metric: "accuracy", protocol: "hold-out" } };
}

export function submit(
  db: Db,
  fixture: Fixture,
  now: number,
  options: {
    priority?: number;
    maxAttempts?: number;
    limits?: { attemptsAllowed: number | null; perMinute: number; windowMs: number };
  } = {},
): Promise<{ submission: SubmissionRow; job: JobRow }> {
  return createSubmissionWithJob(
    db,
    {
      assignmentId: fixture.assignment.id,
      userId: fixture.student.id,
      exerciseId: fixture.assignment.exerciseId,
      payload: payload(fixture.assignment.exerciseId),
      ...options,
    },
    now,
  );
}
