import { initTRPC, TRPCError } from "@trpc/server";
import { userBySessionToken, type Db, type User } from "@stepwise/db";
import superjson from "superjson";
import { ZodError, z } from "zod";
import { authSecretOf } from "./auth";
import type { ApiConfig } from "./config";
import { toTRPCError } from "./errors";
import { assignmentScope, courseScope, submissionScope, type CourseNeed, type SubmissionNeed } from "./scope";
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
      message:
        error.code === "INTERNAL_SERVER_ERROR" && !(cause instanceof TRPCError)
          ? "Something went wrong on our side; please try again."
          : shape.message,
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

/**
 * Signed-in instructors and admins (the global role). Alone it guards procedures with no course in
 * their input (a course's creation, the exercise catalogue, LMS registration) and those whose course
 * comes from another object (a regrade, a job), which apply `scope.ts` to it; course work goes through
 * the scoped procedures below, which add the course role.
 */
export const instructorProcedure = authedProcedure.use(({ ctx, next }) => {
  if (ctx.user.role === "student") throw new TRPCError({ code: "FORBIDDEN", message: "Only instructors may do that." });
  return next({ ctx });
});

const Id = z.string().min(1).max(100);

/*
 * Scoped procedures: each reads one id from the input, loads the object, checks the caller's role in
 * its course once (`scope.ts`) and puts the object and the role on the context. The id's schema here
 * only picks out the id (it refuses no other key); each procedure's own strict input names the id again
 * with the rest of its fields, so inputs stay strict.
 */
const courseOf = (need: CourseNeed) =>
  (need === "instructor" ? instructorProcedure : authedProcedure)
    .input(z.object({ courseId: Id }))
    .use(async ({ ctx, input, next }) => next({ ctx: await courseScope(ctx, input.courseId, need) }));

const assignmentOf = (need: CourseNeed) =>
  (need === "instructor" ? instructorProcedure : authedProcedure)
    .input(z.object({ assignmentId: Id }))
    .use(async ({ ctx, input, next }) => next({ ctx: await assignmentScope(ctx, input.assignmentId, need) }));

const submissionOf = (need: SubmissionNeed) =>
  (need === "instructor" ? instructorProcedure : authedProcedure)
    .input(z.object({ submissionId: Id }))
    .use(async ({ ctx, input, next }) => next({ ctx: await submissionScope(ctx, input.submissionId, need) }));

/**
 * `courseId` in the input. `member`: anyone enrolled (students and instructors); `instructor`: the
 * course's instructors (who also hold the global instructor or admin role). Context: `course`, `role`.
 * A course the caller is not in is FORBIDDEN whether or not it exists.
 */
export const courseProcedure = { member: courseOf("member"), instructor: courseOf("instructor") };

/**
 * `assignmentId` in the input; a missing assignment is NOT_FOUND, then its course is scoped as in
 * `courseProcedure`. `student`: the course's students only (their own drafts). Context: `assignment`,
 * `course`, `role`.
 */
export const assignmentProcedure = {
  member: assignmentOf("member"),
  student: assignmentOf("student"),
  instructor: assignmentOf("instructor"),
};

/**
 * `submissionId` in the input; a missing submission is NOT_FOUND. `reader`: its author or an
 * instructor of its course; `member`: anyone enrolled in its course; `instructor`: its course's
 * instructors. Context: `submission`, `assignment`, `role`, `own`, `viewer`.
 */
export const submissionProcedure = {
  reader: submissionOf("reader"),
  member: submissionOf("member"),
  instructor: submissionOf("instructor"),
};
