import { initTRPC, TRPCError } from "@trpc/server";
import { ForbiddenError, NotFoundError } from "@stepwise/core/contracts";
import { assignmentById, membership, userBySessionToken, type Db, type User } from "@stepwise/db";
import superjson from "superjson";
import { ZodError, z } from "zod";
import { authSecretOf } from "./auth";
import type { ApiConfig } from "./config";
import { toTRPCError } from "./errors";
import { looksSigned, verifySessionCookie } from "./session";

/** Where procedures write response headers (the fetch adapter's `resHeaders`, or a test's own `Headers`). */
export interface ResponseHeaders {
  append(name: string, value: string): void;
}

export interface Context {
  db: Db;
  config: ApiConfig;
  /** Milliseconds since the epoch; injected so tests control time. */
  now: () => number;
  user: User | null;
  /** The bare token of the caller's session (its cookie's signature already checked), or null. */
  sessionToken: string | null;
  /** Whether cookies must carry `Secure` (the request came over HTTPS). */
  secureCookies: boolean;
  resHeaders: ResponseHeaders;
  /** The client's IP address for rate limits, or null when unknown (in-process callers). */
  clientIp: string | null;
}

export interface ContextInput {
  db: Db;
  config: ApiConfig;
  now?: () => number;
  /**
   * Trusted, for in-process callers: a bare session token (`createSession`) or a signed cookie value
   * (checked). Never pass a request's cookie here: use `sessionCookie`.
   */
  sessionToken?: string | null;
  /** Untrusted: the session cookie as the browser sent it; it counts only if its signature is ours. */
  sessionCookie?: string | null;
  secureCookies?: boolean;
  resHeaders?: ResponseHeaders;
  clientIp?: string | null;
}

async function sessionTokenOf(input: ContextInput): Promise<string | null> {
  const secret = authSecretOf(input.config);
  if (input.sessionCookie) return verifySessionCookie(input.sessionCookie, secret);
  if (!input.sessionToken) return null;
  return looksSigned(input.sessionToken) ? verifySessionCookie(input.sessionToken, secret) : input.sessionToken;
}

/**
 * Identity comes from the session cookie only, never from a procedure's input. better-auth wrote the
 * cookie and the session row; the row is read here with the injected clock.
 */
export async function createContext(input: ContextInput): Promise<Context> {
  const now = input.now ?? Date.now;
  const token = await sessionTokenOf(input);
  const user = token ? await userBySessionToken(input.db, token, now()) : null;
  return {
    db: input.db,
    config: input.config,
    now,
    user,
    sessionToken: user ? token : null,
    secureCookies: input.secureCookies ?? false,
    resHeaders: input.resHeaders ?? new Headers(),
    clientIp: input.clientIp ?? null,
  };
}

const t = initTRPC.context<Context>().create({
  transformer: superjson,
  // Pings keep `submission.watch` streams alive through proxies that close idle connections.
  sse: { ping: { enabled: true, intervalMs: 15_000 }, client: { reconnectAfterInactivityMs: 30_000 } },
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    const { stack: _stack, ...data } = shape.data;
    return {
      ...shape,
      // Internal errors are replaced by a generic message in toTRPCError; this is the last guard.
      message: error.code === "INTERNAL_SERVER_ERROR" && !(cause instanceof TRPCError) ? "Something went wrong on our side; please try again." : shape.message,
      data: { ...data, zodError: cause instanceof ZodError ? z.flattenError(cause) : null },
    };
  },
});

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Maps domain errors to tRPC codes for every procedure, so `createCaller` sees the same codes as HTTP clients. */
const domainErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok) throw toTRPCError(result.error);
  return result;
});

export const publicProcedure = t.procedure.use(domainErrors);

export const authedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue." });
  return next({ ctx: { ...ctx, user: ctx.user } });
});

/** The caller's role in a course, or a FORBIDDEN error that does not reveal whether the course exists. */
export async function requireMembership(ctx: { db: Db; user: User }, courseId: string): Promise<"student" | "instructor"> {
  const role = await membership(ctx.db, courseId, ctx.user.id);
  if (!role) throw new ForbiddenError("You are not enrolled in this course.");
  return role;
}

/** Loads an assignment and checks the caller is enrolled in its course. */
export async function requireAssignment(ctx: { db: Db; user: User }, assignmentId: string) {
  const assignment = await assignmentById(ctx.db, assignmentId);
  if (!assignment) throw new NotFoundError(`No assignment with id "${assignmentId}".`);
  const role = await requireMembership(ctx, assignment.courseId);
  return { assignment, role };
}

/**
 * Students and instructors reach course data through the same procedures; which course is in scope
 * comes from the input, so each resolver calls `requireMembership`/`requireAssignment` before reading.
 */
export const studentProcedure = authedProcedure;

/**
 * The instructor gate of every course-scoped instructor procedure: the caller teaches this course.
 * Students and instructors of other courses get the same FORBIDDEN, which does not reveal whether the
 * course exists.
 */
export async function requireInstructor(ctx: { db: Db; user: User }, courseId: string): Promise<void> {
  const role = await membership(ctx.db, courseId, ctx.user.id);
  if (role !== "instructor") throw new ForbiddenError("Only the instructors of this course may do that.");
}

/** Loads an assignment and checks the caller teaches its course. */
export async function requireTaughtAssignment(ctx: { db: Db; user: User }, assignmentId: string) {
  const assignment = await assignmentById(ctx.db, assignmentId);
  if (!assignment) throw new NotFoundError(`No assignment with id "${assignmentId}".`);
  await requireInstructor(ctx, assignment.courseId);
  return assignment;
}

/**
 * Signed-in instructors and admins (the global role): course-scoped procedures on top of it call
 * `requireInstructor`/`requireTaughtAssignment` with the course from their input.
 */
export const instructorProcedure = authedProcedure.use(({ ctx, next }) => {
  if (ctx.user.role === "student") throw new TRPCError({ code: "FORBIDDEN", message: "Only instructors may do that." });
  return next({ ctx });
});
