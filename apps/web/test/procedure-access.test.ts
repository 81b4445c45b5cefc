import { createCourse, enroll, type User } from "@stepwise/db";
import { createTestUser } from "@stepwise/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { appRouter } from "../src/server/root";
import { validPayload, world, type World } from "./helpers";

/**
 * Every procedure states who may call it through its base procedure. These tables walk the whole
 * router, so a procedure added on the wrong base fails here even when its own tests forget the
 * denied callers. Every call here is refused before it changes anything, so one world serves the file.
 */
let w: World;
let rival: User;
let submissionId: string;
beforeAll(async () => {
  w = await world();
  ({ submissionId } = await (await w.as(w.student)).submission.create({ assignmentId: w.assignment.id, payload: validPayload() }));
  rival = await createTestUser(
    w.db,
    { email: "rival@example.test", name: "Rival", role: "instructor", password: "rival-password" },
    w.clock.now(),
  );
  const theirs = await createCourse(w.db, { title: "Rival's course" }, w.clock.now());
  await enroll(w.db, { courseId: theirs.id, userId: rival.id, role: "instructor" }, w.clock.now());
});
afterAll(async () => {
  await w.cleanup();
});

type Caller = Awaited<ReturnType<World["as"]>>;
type Procedure = { _def: { inputs: unknown[]; type: string } };
// At run time `_def.procedures` is flat, keyed by path ("course.byId"); its declared type is the nested router.
const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, Procedure>);

/** The procedures anyone may call: signing in and up, password resets, and "who am I". */
const PUBLIC = new Set(["auth.signIn", "auth.signUp", "auth.signOut", "auth.requestPasswordReset", "auth.resetPassword", "auth.me"]);

/** A caller's procedure by its path (`course.byId`). */
function procedureOf(caller: Caller, path: string): (input: unknown) => Promise<unknown> {
  let node: unknown = caller;
  for (const key of path.split(".")) node = (node as Record<string, unknown>)[key];
  return node as (input: unknown) => Promise<unknown>;
}

/** The course-scope ids an input names (`courseId`, `assignmentId`, `submissionId`), required or not. */
function scopeKeys(procedure: Procedure): string[] {
  const keys = procedure._def.inputs.flatMap((input) => (input instanceof z.ZodObject ? Object.keys(input.shape as object) : []));
  return ["courseId", "assignmentId", "submissionId"].filter((key) => keys.includes(key));
}

describe("every procedure states who may call it", () => {
  it("the router has procedures of every scope (the tables below are not empty)", () => {
    expect(procedures.length).toBeGreaterThan(50);
    expect(procedures.filter(([, p]) => scopeKeys(p).length > 0).length).toBeGreaterThan(30);
  });

  it.each(procedures.filter(([path]) => !PUBLIC.has(path)).map(([path]) => [path]))(
    "%s: UNAUTHORIZED for an anonymous caller",
    async (path) => {
      await expect(procedureOf(await w.as(null), path)({})).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    },
  );

  // Course-scoped work on another course: refused before the rest of the input is read or anything is
  // loaded beyond the scope check. `gradeChange.markSeen` answers NOT_FOUND for another's submission
  // (ids are not an oracle) and `project.next` answers null; both are about the caller's own work.
  const scoped = procedures.filter(([path, p]) => scopeKeys(p).length > 0 && !["gradeChange.markSeen", "project.next"].includes(path));
  it.each(scoped.map(([path, p]) => [path, scopeKeys(p)] as const))(
    "%s: FORBIDDEN for an instructor of another course (input names %j)",
    async (path, keys) => {
      const ids: Record<string, string> = { courseId: w.courseId, assignmentId: w.assignment.id, submissionId };
      const input = Object.fromEntries(keys.map((key) => [key, ids[key]]));
      await expect(procedureOf(await w.as(rival), path)(input)).rejects.toMatchObject({ code: "FORBIDDEN" });
    },
  );
});
