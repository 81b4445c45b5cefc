import type { ProgressEvent } from "@stepwise/core/contracts";
import { NotFoundError } from "@stepwise/core/contracts";
import { describe, expect, it } from "vitest";
import { appendLog, appendProgress, jobLog, progressSince } from "../src/index";
import { seedCourse, testDialects } from "../src/testing";
import { submit, useTestDb } from "./helpers";

const events: ProgressEvent[] = [
  { type: "started", backend: "cpu", epochs: 2 },
  { type: "epoch", epoch: 1, epochs: 2, loss: 0.9, accuracy: 0.7, valLoss: 0.8, valAccuracy: 0.72, seconds: 1.5 },
  { type: "epoch", epoch: 2, epochs: 2, loss: 0.5, seconds: 1.4 },
  { type: "evaluating" },
];

describe.each(testDialects)("progress and logs on %s", (dialect) => {
  const t = useTestDb(dialect, "all");

  it("numbers events 1, 2, 3… per job and returns those after a seq", async () => {
    const { db } = t();
    const f = await seedCourse(db, 0);
    const { job } = await submit(db, f, 0);
    const { job: other } = await submit(db, f, 0);
    const seqs: number[] = [];
    for (const [i, event] of events.entries()) seqs.push(await appendProgress(db, job.id, event, 100 + i));
    expect(seqs).toEqual([1, 2, 3, 4]);
    expect(await appendProgress(db, other.id, { type: "evaluating" }, 5)).toBe(1);
    expect(await progressSince(db, job.id, 0)).toEqual(events.map((event, i) => ({ seq: i + 1, event, at: 100 + i })));
    expect((await progressSince(db, job.id, 2)).map((p) => p.seq)).toEqual([3, 4]);
    expect(await progressSince(db, job.id, 4)).toEqual([]);
  });

  it("refuses a malformed event and an unknown job", async () => {
    const { db } = t();
    const f = await seedCourse(db, 0);
    const { job } = await submit(db, f, 0);
    await expect(appendProgress(db, job.id, { type: "epoch", epoch: 0 } as unknown as ProgressEvent, 1)).rejects.toThrow();
    await expect(appendProgress(db, "missing", { type: "evaluating" }, 1)).rejects.toThrow(NotFoundError);
  });

  it.each([
    ["fits", ["abc", "def"], 10, "abcdef"],
    ["overflows once", ["12345", "67890", "later"], 8, "12345678\n[log truncated at 8 bytes]\n"],
    ["cuts between UTF-8 characters", ["ééé"], 5, "éé\n[log truncated at 5 bytes]\n"],
    ["is empty", [], 10, ""],
  ])("keeps a capped log when it %s", async (_label, chunks, cap, expected) => {
    const { db } = t();
    const f = await seedCourse(db, 0);
    const { job } = await submit(db, f, 0);
    for (const chunk of chunks) await appendLog(db, job.id, chunk, cap);
    expect(await jobLog(db, job.id)).toBe(expected);
  });

  it("caps at 1 MiB by default", async () => {
    const { db } = t();
    const f = await seedCourse(db, 0);
    const { job } = await submit(db, f, 0);
    const line = `${"x".repeat(1023)}\n`;
    for (let i = 0; i < 8; i++) await appendLog(db, job.id, line.repeat(160));
    const log = await jobLog(db, job.id);
    expect(Buffer.byteLength(log)).toBe(1024 * 1024 + "\n[log truncated at 1048576 bytes]\n".length);
    expect(log.endsWith("[log truncated at 1048576 bytes]\n")).toBe(true);
  });
});
