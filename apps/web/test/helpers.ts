import { readdirSync, readFileSync } from "node:fs";
import { afterEach, beforeEach } from "vitest";
import { join, relative } from "node:path";
import { createAssignment, createCourse, createSession, enroll, type Assignment, type Db, type User } from "@stepwise/db";
import { createTestUser, openTestDb } from "@stepwise/db/testing";
import type { Dialect } from "@stepwise/db";
import type { SubmissionPayload } from "@stepwise/core/contracts";
import { getExercise } from "@stepwise/exercises";
import { authSecretOf } from "../src/server/auth";
import type { ApiConfig } from "../src/server/config";
import { createCaller } from "../src/server/root";
import { SESSION_COOKIE, signSessionToken } from "../src/server/session";
import { createContext } from "../src/server/trpc";

export const EXERCISE_ID = "mnist-beat-baseline";
export const T0 = Date.UTC(2026, 0, 15, 9, 0, 0);

export const testConfig: ApiConfig = {
  sessionTtlMs: 3_600_000,
  watchPollMs: 10,
  submissionsPerMinute: 5,
  authLimits: { windowMs: 15 * 60_000, signInPerEmail: 5, signInPerIp: 8, signUpPerIp: 3, joinPerUser: 4 },
};

/** `model.toJSON(undefined, false)` of a Sequential Dense 784→32→10, generated once with @tensorflow/tfjs. */
export function denseTopology(): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL("./fixtures/dense-784-32-10.json", import.meta.url), "utf8")) as Record<string, unknown>;
}

export function validPayload(topology: Record<string, unknown> = denseTopology()): SubmissionPayload {
  const exercise = getExercise(EXERCISE_ID);
  if (!exercise.starterTraining) throw new Error(`Exercise ${EXERCISE_ID} has no starter training settings`);
  return { exerciseId: EXERCISE_ID, model: { format: "tfjs", topology }, training: exercise.starterTraining };
}

/**
 * A `Cookie` header for a session token, signed as better-auth signs it: HTTP handlers refuse a bare
 * token in the cookie.
 */
export async function sessionCookieHeader(token: string, config: ApiConfig = testConfig): Promise<string> {
  return `${SESSION_COOKIE}=${await signSessionToken(token, authSecretOf(config))}`;
}

/** A mutable clock the context reads, so rate limits and sessions are tested without sleeping. */
export function clock(start = T0) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

export interface World {
  db: Db;
  cleanup: () => Promise<void>;
  clock: ReturnType<typeof clock>;
  student: User;
  other: User;
  outsider: User;
  instructor: User;
  courseId: string;
  assignment: Assignment;
  /** A real session token for `user`, created at the clock's current time. */
  tokenFor: (user: User) => Promise<string>;
  /** A caller signed in as `user` (a real session row), or anonymous; `config` changes the test configuration. */
  as: (user: User | null, config?: Partial<ApiConfig>) => Promise<ReturnType<typeof createCaller>>;
  addAssignment: (input: Partial<Pick<Assignment, "attemptsAllowed" | "deadline" | "overrides">>) => Promise<Assignment>;
  /**
   * Another course with the same student, other student and instructor enrolled, and its own
   * assignment: isolation between the cases of a table for a few rows, where a new world costs four
   * password hashes and (on PostgreSQL) a migrated schema.
   */
  addCourse: () => Promise<{ courseId: string; assignment: Assignment }>;
}

/** Users, a course and an assignment on a fresh database (SQLite unless `dialect` says otherwise). */
export async function world(dialect: Dialect = "sqlite"): Promise<World> {
  const testDb = await openTestDb(dialect);
  const { db } = testDb;
  const cleanup = () => testDb.cleanup();
  const c = clock();
  const mk = (name: string, role: User["role"]) =>
    createTestUser(db, { email: `${name}@example.test`, name, role, password: `${name}-password` }, c.now());
  const [student, other, outsider, instructor] = [
    await mk("student", "student"),
    await mk("other", "student"),
    await mk("outsider", "student"),
    await mk("teacher", "instructor"),
  ];
  // Independent: these tests exercise one step at a time; the guided journey has its own tests (journey.test.ts).
  const newCourse = async () => {
    const created = await createCourse(db, { title: "Test course", settings: { mode: "independent" } }, c.now());
    await enroll(db, { courseId: created.id, userId: student.id, role: "student" }, c.now());
    await enroll(db, { courseId: created.id, userId: other.id, role: "student" }, c.now());
    await enroll(db, { courseId: created.id, userId: instructor.id, role: "instructor" }, c.now());
    return created;
  };
  const assignmentIn = (courseId: string, input: Parameters<World["addAssignment"]>[0]) =>
    createAssignment(
      db,
      {
        courseId,
        exerciseId: EXERCISE_ID,
        title: "Beat the baseline",
        overrides: input.overrides ?? {},
        deadline: input.deadline ?? null,
        attemptsAllowed: input.attemptsAllowed ?? null,
        position: 5,
      },
      c.now(),
    );
  const course = await newCourse();
  const addAssignment: World["addAssignment"] = (input) => assignmentIn(course.id, input);
  const addCourse: World["addCourse"] = async () => {
    const created = await newCourse();
    return { courseId: created.id, assignment: await assignmentIn(created.id, { attemptsAllowed: null }) };
  };
  const assignment = await addAssignment({ attemptsAllowed: null });
  const tokenFor = async (user: User) => (await createSession(db, user.id, c.now(), testConfig.sessionTtlMs)).token;
  const as = async (user: User | null, config: Partial<ApiConfig> = {}) => {
    const token = user ? await tokenFor(user) : null;
    return createCaller(await createContext({ db, config: { ...testConfig, ...config }, now: c.now, sessionToken: token }));
  };
  return {
    db,
    cleanup,
    clock: c,
    student,
    other,
    outsider,
    instructor,
    courseId: course.id,
    assignment,
    tokenFor,
    as,
    addAssignment,
    addCourse,
  };
}

/**
 * A fresh `world()` before each test of the file (or describe block) and its cleanup after; the
 * returned object reads the current test's world (reading it outside a test throws, naming the mistake).
 */
export function useWorld(dialect: Dialect = "sqlite"): World {
  let current: World | undefined;
  beforeEach(async () => {
    current = await world(dialect);
  });
  afterEach(async () => {
    await current?.cleanup();
    current = undefined;
  });
  return new Proxy({} as World, {
    get(_, key) {
      if (!current) throw new Error("The test world exists only while a test runs: read it inside a test or hook.");
      return current[key as keyof World];
    },
  });
}

/** Every file under `dir` as text, by path relative to it (a course folder as the importer sees it). */
export function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else out[relative(dir, full)] = readFileSync(full, "utf8");
    }
  };
  walk(dir);
  return out;
}
