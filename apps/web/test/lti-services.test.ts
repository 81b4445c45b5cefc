import { claimJob, completeJob, createSubmissionWithJob, membership } from "@stepwise/db";
import { droppedMembers, passbackStates, retryPassback } from "@stepwise/db/lti";
import { sampleVerdict, testDialects } from "@stepwise/db/testing";
import { ROLE } from "@stepwise/lti/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runPassbacks } from "../src/server/lti/passback";
import { syncRosters } from "../src/server/lti/roster";
import { deepLink, launch, type LtiWorld, ltiWorld, student } from "./lti-world";

/** A graded submission: stored, claimed by a grader, verdict written (which queues the passback). */
async function graded(w: LtiWorld, userId: string, score: number): Promise<void> {
  const { assignment } = w.fixture;
  const now = w.deps.clock();
  await createSubmissionWithJob(
    w.db,
    {
      assignmentId: assignment.id,
      userId,
      exerciseId: assignment.exerciseId,
      payload: { exerciseId: assignment.exerciseId, answers: { metric: "accuracy", protocol: "hold-out" } },
    },
    now,
  );
  const claimed = await claimJob(w.db, { workerId: "grader", leaseMs: 60_000, now });
  if (!claimed) throw new Error("nothing to grade");
  await completeJob(w.db, {
    jobId: claimed.job.id,
    workerId: "grader",
    verdict: sampleVerdict(score >= 0.5 ? "passed" : "failed", score),
    now,
  });
}

/** Launches `sub` through a deep-linked link so the LMS user is linked to a Stepwise student; returns the user id. */
async function linkedStudent(w: LtiWorld, link: { custom: Record<string, string>; lineItem: string }, sub: string): Promise<string> {
  const user = w.platform.addUser(student(sub));
  expect((await launch(w, user, { ...link, resourceLinkId: "link-1" })).status).toBe(200);
  const row = await w.db.kysely.selectFrom("lti_users").select("user_id").where("sub", "=", sub).executeTakeFirstOrThrow();
  return row.user_id;
}

const run = (w: LtiWorld) => runPassbacks(w.deps, { workerId: "passback" });

describe.each(testDialects)("LTI services on %s", (dialect) => {
  let w: LtiWorld;
  beforeEach(async () => {
    w = await ltiWorld(dialect);
  });
  afterEach(() => w.close());

  it("sends a student's new grade once, never a teacher's, and shows the cell's state", async () => {
    const link = await deepLink(w);
    const sam = await linkedStudent(w, link, "sam");
    await graded(w, sam, 0.8);
    await graded(w, w.fixture.instructor.id, 1);
    // The grader never claims a passback.
    expect(await claimJob(w.db, { workerId: "grader", leaseMs: 60_000, now: w.deps.clock() })).toBeNull();
    expect(await run(w)).toEqual({ sent: 1, retrying: 0, failed: 0 });
    expect(await run(w)).toEqual({ sent: 0, retrying: 0, failed: 0 });
    expect(w.platform.scores.map((s) => [s.userId, s.scoreGiven, s.scoreMaximum, s.lineItem])).toEqual([["sam", 80, 100, link.lineItem]]);
    const states = await passbackStates(w.db, w.fixture.course.id);
    expect(states).toEqual([expect.objectContaining({ userId: sam, status: "sent", scoreGiven: 80, lastError: null })]);
  });

  it("replaces an access token that expires mid-run and still sends each score once", async () => {
    const link = await deepLink(w);
    const sam = await linkedStudent(w, link, "sam");
    const kim = await linkedStudent(w, link, "kim");
    await graded(w, sam, 0.6);
    await graded(w, kim, 0.9);
    expect(await runPassbacks(w.deps, { workerId: "passback", maxJobs: 1 })).toMatchObject({ sent: 1 });
    const issued = w.platform.tokensIssued;
    w.platform.expireTokens();
    expect(await run(w)).toMatchObject({ sent: 1, retrying: 0 });
    expect(w.platform.tokensIssued).toBe(issued + 1);
    expect(w.platform.scores.map((s) => [s.userId, s.scoreGiven]).sort()).toEqual([
      ["kim", 90],
      ["sam", 60],
    ]);
  });

  it("waits out a storm of 429s and Canvas's rate-limit 403, one request at a time, then sends the score once", async () => {
    const link = await deepLink(w);
    const sam = await linkedStudent(w, link, "sam");
    await graded(w, sam, 0.7);
    w.platform.rateLimit("429", 3);
    w.platform.rateLimit("403", 1);
    const outcomes = [];
    for (let i = 0; i < 8 && w.platform.scores.length === 0; i++) {
      outcomes.push(await run(w));
      if (i === 0)
        expect(await passbackStates(w.db, w.fixture.course.id)).toEqual([
          expect.objectContaining({ status: "pending", lastError: expect.stringMatching(/429 \(rate limited\)/) as unknown }),
        ]);
      w.advance(3_600_000);
    }
    expect(outcomes.slice(0, 4)).toEqual(Array(4).fill({ sent: 0, retrying: 1, failed: 0 }));
    expect(w.platform.scores.map((s) => [s.userId, s.scoreGiven])).toEqual([["sam", 70]]);
    expect(w.platform.serviceLog.filter((r) => r.status === 429 || r.status === 403).length).toBe(4);
    expect((await passbackStates(w.db, w.fixture.course.id))[0]).toMatchObject({ status: "sent", lastError: null });
  });

  it("marks a passback the LMS refuses as failed with its reason, and an instructor's retry sends it", async () => {
    const link = await deepLink(w);
    const sam = await linkedStudent(w, link, "sam");
    const item = w.platform.lineItems.get(link.lineItem);
    w.platform.lineItems.delete(link.lineItem);
    await graded(w, sam, 0.5);
    expect(await run(w)).toMatchObject({ failed: 1 });
    expect((await passbackStates(w.db, w.fixture.course.id))[0]).toMatchObject({
      status: "failed",
      lastError: expect.stringContaining("HTTP 404") as unknown,
    });
    if (item) w.platform.lineItems.set(link.lineItem, item);
    expect(await retryPassback(w.db, { assignmentId: w.fixture.assignment.id, userId: sam, now: w.deps.clock() })).toBe(true);
    expect(await run(w)).toMatchObject({ sent: 1 });
    expect(w.platform.scores.map((s) => s.scoreGiven)).toEqual([50]);
  });

  it("syncs the roster: new members get accounts and enrolment, TAs teach, dropped students are marked and kept", async () => {
    const link = await deepLink(w);
    await linkedStudent(w, link, "sam");
    w.platform.addUser(student("kim", "Kim New"));
    w.platform.addUser({ sub: "tia", name: "Tia Assistant", email: "tia@lms.test", roles: [ROLE.ta] });
    const [first] = await syncRosters(w.deps, { courseId: w.fixture.course.id });
    expect(first).toMatchObject({ added: 2, kept: 2, dropped: 0 });
    const idOf = async (sub: string) =>
      (await w.db.kysely.selectFrom("lti_users").select("user_id").where("sub", "=", sub).executeTakeFirstOrThrow()).user_id;
    const kim = await idOf("kim");
    expect(await membership(w.db, w.fixture.course.id, kim)).toBe("student");
    expect(await membership(w.db, w.fixture.course.id, await idOf("tia"))).toBe("instructor");
    w.platform.users.delete("kim");
    const [second] = await syncRosters(w.deps, { courseId: w.fixture.course.id });
    expect(second).toMatchObject({ added: 0, dropped: 1 });
    expect(await droppedMembers(w.db, w.fixture.course.id)).toEqual([kim]);
    expect(await membership(w.db, w.fixture.course.id, kim)).toBe("student");
    // The daily sync leaves a roster synced within the day alone.
    expect(await syncRosters(w.deps, { onlyStale: true })).toEqual([]);
  });
});
