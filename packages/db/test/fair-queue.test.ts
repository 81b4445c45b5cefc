import { describe, expect, it } from "vitest";
import {
  cancelJob,
  claimJob,
  completeJob,
  createSubmissionWithJob,
  type Db,
  enroll,
  estimateWaitMs,
  fairOrder,
  openDb,
  queuePosition,
  queueStanding,
  type QueuedJob,
  type User,
} from "../src/index";
import { type Fixture, sampleVerdict, seedCourse, testDialects, createTestUser } from "../src/testing";
import { payload, useTestDb } from "./helpers";

/**
 * Regression: the queue was FIFO across students, so four jobs from one student held back another
 * student's one-second step-1 answer for minutes. Claims are now fair: priority first, then the
 * student with the fewest running jobs, then round-robin by student.
 */
const LEASE = 60_000;

async function student(db: Db, f: Fixture, name: string): Promise<User> {
  const user = await createTestUser(db, { email: `${name}-${f.course.id}@example.test`, name, role: "student", password: "pw-pw-pw" }, 0);
  await enroll(db, { courseId: f.course.id, userId: user.id, role: "student" }, 0);
  return user;
}

const submitAs = (db: Db, f: Fixture, user: User, now: number, priority?: number) =>
  createSubmissionWithJob(
    db,
    {
      assignmentId: f.assignment.id,
      userId: user.id,
      exerciseId: f.assignment.exerciseId,
      payload: payload(f.assignment.exerciseId),
      ...(priority !== undefined ? { priority } : {}),
    },
    now,
  ).then((r) => r.job.id);

const claim = async (db: Db, now: number, workerId = "w") => (await claimJob(db, { workerId, leaseMs: LEASE, now }))?.job.id ?? null;

describe.each(testDialects)("fair claims on %s", (dialect) => {
  const t = useTestDb(dialect);

  it.each([
    ["while B's first job still runs (two graders)", false],
    ["after B's first job finished (one grader)", true],
  ])("B queues four jobs, A one: A's is claimed before B's second, %s", async (_case, finishFirst) => {
    const { db } = t();
    const f = await seedCourse(db, 0);
    const [a, b] = [await student(db, f, "a"), await student(db, f, "b")];
    const bJobs = [await submitAs(db, f, b, 1), await submitAs(db, f, b, 2), await submitAs(db, f, b, 3), await submitAs(db, f, b, 4)];
    const aJob = await submitAs(db, f, a, 10);
    expect(await claim(db, 20)).toBe(bJobs[0]);
    if (finishFirst)
      expect(await completeJob(db, { jobId: bJobs[0] ?? "", workerId: "w", verdict: sampleVerdict(), now: 21 })).toBe("stored");
    expect(await claim(db, 22)).toBe(aJob);
    const rest: Array<string | null> = [];
    for (let id; (id = await claim(db, 30)); ) rest.push(id);
    expect(rest).toEqual(bJobs.slice(1));
  });

  it("round-robins between students with many jobs each, oldest job of each first", async () => {
    const { db } = t();
    const f = await seedCourse(db, 0);
    const [a, b, c] = [await student(db, f, "a"), await student(db, f, "b"), await student(db, f, "c")];
    const aJobs = [await submitAs(db, f, a, 1), await submitAs(db, f, a, 2), await submitAs(db, f, a, 3)];
    const bJobs = [await submitAs(db, f, b, 4), await submitAs(db, f, b, 5)];
    const cJobs = [await submitAs(db, f, c, 6)];
    const order: string[] = [];
    // One grader: each job ends before the next claim.
    for (let now = 10, id; (id = await claim(db, now)); now += 10) {
      order.push(id);
      await completeJob(db, { jobId: id, workerId: "w", verdict: sampleVerdict(), now: now + 5 });
    }
    expect(order).toEqual([aJobs[0], bJobs[0], cJobs[0], aJobs[1], bJobs[1], aJobs[2]]);
  });

  it("keeps priorities strict: a student's grading before experiments before regrade previews, whoever is running", async () => {
    const { db } = t();
    const f = await seedCourse(db, 0);
    const [a, b] = [await student(db, f, "a"), await student(db, f, "b")];
    const preview = await submitAs(db, f, a, 1, 10);
    const experiment = await submitAs(db, f, a, 2, 5);
    const first = await submitAs(db, f, b, 3);
    const second = await submitAs(db, f, b, 4);
    expect(await claim(db, 10)).toBe(first);
    // B already runs a job, yet B's priority-0 job goes before A's lower-priority ones.
    expect(await claim(db, 11)).toBe(second);
    expect(await claim(db, 12)).toBe(experiment);
    expect(await claim(db, 13)).toBe(preview);
  });

  it("reports each job's place in the fair order, and the claims follow it", async () => {
    const { db } = t();
    const f = await seedCourse(db, 0);
    const [a, b] = [await student(db, f, "a"), await student(db, f, "b")];
    const bJobs = [await submitAs(db, f, b, 1), await submitAs(db, f, b, 2), await submitAs(db, f, b, 3), await submitAs(db, f, b, 4)];
    const aJob = await submitAs(db, f, a, 10);
    const positions = () => Promise.all([aJob, ...bJobs].map((id) => queuePosition(db, id)));
    // Nobody has been claimed yet: B's first job is oldest, then A's (never claimed) before B's second.
    expect(await positions()).toEqual([1, 0, 2, 3, 4]);
    expect(await claim(db, 20)).toBe(bJobs[0]);
    expect(await positions()).toEqual([0, null, 1, 2, 3]);
    const predicted = [aJob, ...bJobs.slice(1)];
    const claimed: string[] = [];
    for (let now = 30, id; (id = await claim(db, now)); now += 10) {
      claimed.push(id);
      await completeJob(db, { jobId: id, workerId: "w", verdict: sampleVerdict(), now: now + 5 });
    }
    expect(claimed).toEqual(predicted);
    expect(await queuePosition(db, "missing")).toBeNull();
  });

  it("estimates the wait from recent job durations and what is running now", async () => {
    const { db } = t();
    const f = await seedCourse(db, 0);
    const [a, b] = [await student(db, f, "a"), await student(db, f, "b")];
    const warmup = await submitAs(db, f, a, 0);
    const bJobs = [await submitAs(db, f, b, 1), await submitAs(db, f, b, 2)];
    const aJob = await submitAs(db, f, a, 3);
    // No job has finished yet: a place, but no estimate.
    expect(await queueStanding(db, aJob, 5)).toEqual({ position: 2, estimatedWaitMs: null });
    expect(await claim(db, 1_000)).toBe(warmup);
    await completeJob(db, { jobId: warmup, workerId: "w", verdict: sampleVerdict(), now: 11_000 });
    // Jobs take 10 s; B's first started at 20 s, so at 25 s it has ~5 s left, and A's is next.
    expect(await claim(db, 20_000)).toBe(bJobs[0]);
    expect(await queueStanding(db, aJob, 25_000)).toEqual({ position: 0, estimatedWaitMs: 5_000 });
    expect(await queueStanding(db, bJobs[1] ?? "", 25_000)).toEqual({ position: 1, estimatedWaitMs: 15_000 });
    expect(await queueStanding(db, bJobs[0] ?? "", 25_000)).toBeNull();
  });
});

describe("fairOrder", () => {
  const job = (id: string, userId: string, createdAt: number, priority = 0): QueuedJob => ({
    id,
    userId,
    priority,
    createdAt,
    seq: createdAt,
  });
  it.each([
    ["one student: oldest first", [job("b1", "b", 1), job("b2", "b", 2)], [], ["b1", "b2"]],
    [
      "never-claimed students by their oldest job, then round-robin",
      [job("b1", "b", 1), job("b2", "b", 2), job("b3", "b", 3), job("a1", "a", 4)],
      [],
      ["b1", "a1", "b2", "b3"],
    ],
    [
      "a student claimed recently waits behind one claimed earlier",
      [job("b2", "b", 2), job("a1", "a", 4)],
      [
        ["b", 100],
        ["a", 50],
      ],
      ["a1", "b2"],
    ],
    [
      "priorities first, round-robin within each",
      [job("p", "a", 1, 10), job("a1", "a", 2), job("a2", "a", 3), job("b1", "b", 4)],
      [],
      ["a1", "b1", "a2", "p"],
    ],
    ["nothing queued", [], [], []],
  ] as Array<[string, QueuedJob[], Array<[string, number]>, string[]]>)("%s", (_case, jobs, claims, expected) => {
    expect(fairOrder(jobs, new Map(claims))).toEqual(expected);
  });
});

describe("estimateWaitMs", () => {
  it.each([
    ["idle grader, next in line", { ahead: 0, remaining: [], typicalMs: 10_000 }, 0],
    ["idle grader, two ahead", { ahead: 2, remaining: [], typicalMs: 10_000 }, 20_000],
    ["one grader 4 s from done, next in line", { ahead: 0, remaining: [4_000], typicalMs: 10_000 }, 4_000],
    ["two graders, three ahead", { ahead: 3, remaining: [2_000, 6_000], typicalMs: 10_000 }, 16_000],
    ["a job running past the typical length counts as finishing now", { ahead: 1, remaining: [-5_000], typicalMs: 10_000 }, 10_000],
  ])("%s", (_case, input, expected) => {
    expect(estimateWaitMs(input)).toBe(expected);
  });
});

describe.each(testDialects.filter((d) => d === "postgres"))("two claimers at once on %s", (dialect) => {
  const t = useTestDb(dialect);

  it("never start two jobs of one student while another student waits", async () => {
    const { db, url } = t();
    const first = await openDb(url, { poolSize: 2 });
    const second = await openDb(url, { poolSize: 2 });
    try {
      const f = await seedCourse(db, 0);
      for (let round = 0; round < 15; round++) {
        const [a, c] = [await student(db, f, `a${round}`), await student(db, f, `c${round}`)];
        // A's two jobs are older than C's one: a claimer that cannot see the other's claim of A's
        // first job would take A's second.
        const aJobs = [await submitAs(db, f, a, 1), await submitAs(db, f, a, 2)];
        const cJob = await submitAs(db, f, c, 3);
        const claimed = await Promise.all([claim(first, 10, "one"), claim(second, 10, "two")]);
        expect(new Set(claimed)).toEqual(new Set([aJobs[0], cJob]));
        await cancelJob(db, aJobs[1] ?? "", 20);
        for (const id of claimed)
          await completeJob(db, { jobId: id ?? "", workerId: id === claimed[0] ? "one" : "two", verdict: sampleVerdict(), now: 20 });
      }
    } finally {
      await first.close();
      await second.close();
    }
  });
});
