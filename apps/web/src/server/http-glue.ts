import type { Db, User } from "@stepwise/db";
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import type { ApiConfig } from "./config";
import { toTRPCError } from "./errors";
import { createCaller } from "./root";
import { sessionCookieOf } from "./session";
import { createContext, type Context } from "./trpc";

/**
 * What the non-tRPC routes (downloads, uploads, the preview data) share: a context from the request's
 * session cookie built exactly as the tRPC endpoint builds it, the same identity gates, the same scope
 * rules (`scope.ts`) or the procedures themselves through a caller, and errors as JSON with our codes.
 */
export interface RouteOptions {
  db: Db;
  config: ApiConfig;
  now?: () => number;
}

export function contextFor(req: Request, options: RouteOptions): Promise<Context> {
  return createContext({
    db: options.db,
    config: options.config,
    now: options.now,
    sessionCookie: sessionCookieOf(req.headers.get("cookie")),
  });
}

/** A caller for the request's session: the route goes through the same procedures, and so the same gates, as tRPC clients. */
export async function callerFor(req: Request, options: RouteOptions) {
  return createCaller(await contextFor(req, options));
}

/** The signed-in caller's context, or UNAUTHORIZED (`why` says what signing in is for). */
export async function signedIn(req: Request, options: RouteOptions, why = "Sign in to continue."): Promise<Context & { user: User }> {
  const ctx = await contextFor(req, options);
  if (!ctx.user) throw new TRPCError({ code: "UNAUTHORIZED", message: why });
  return { ...ctx, user: ctx.user };
}

/** The global role gate of `instructorProcedure`, for routes that then scope a course themselves. */
export function requireInstructorRole(user: Pick<User, "role">): void {
  if (user.role === "student") throw new TRPCError({ code: "FORBIDDEN", message: "Only instructors may do that." });
}

/** Whatever a route threw, as `{error: {message, code}}` with the HTTP status of its tRPC code. */
export function errorResponse(error: unknown): Response {
  const e = toTRPCError(error);
  return Response.json({ error: { message: e.message, code: e.code } }, { status: getHTTPStatusCodeFromError(e) });
}

/** Runs a route's work; an error becomes `errorResponse`. */
export async function respond(work: () => Promise<Response>): Promise<Response> {
  try {
    return await work();
  } catch (error) {
    return errorResponse(error);
  }
}

/** A file download: grades and course folders are personal data, never kept by a shared cache. */
export function download(body: BodyInit, type: string, fileName: string): Response {
  return new Response(body, {
    headers: { "content-type": type, "content-disposition": `attachment; filename="${fileName}"`, "cache-control": "private, no-store" },
  });
}
