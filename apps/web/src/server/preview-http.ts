import type { Db } from "@stepwise/db";
import { getExercise } from "@stepwise/exercises";
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import type { ApiConfig } from "./config";
import { previewBytes } from "./datasets";
import { toTRPCError } from "./errors";
import { sessionCookieOf } from "./session";
import { createContext, requireAssignment } from "./trpc";

/**
 * GET /api/preview-data/:assignmentId — the training subset the browser preview trains on, as the
 * compact binary of `lib/preview-format`. Only for members of the assignment's course.
 */
export async function handlePreviewRequest(req: Request, options: { db: Db; config: ApiConfig; assignmentId: string; now?: () => number }): Promise<Response> {
  try {
    const ctx = await createContext({ db: options.db, config: options.config, now: options.now, sessionCookie: sessionCookieOf(req.headers.get("cookie")) });
    const user = ctx.user;
    if (!user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to download training data." });
    const { assignment } = await requireAssignment({ db: ctx.db, user }, options.assignmentId);
    const bytes = previewBytes(getExercise(assignment.exerciseId).dataset);
    return new Response(new Uint8Array(bytes), {
      headers: {
        "content-type": "application/octet-stream",
        // Same bytes for every student; the browser may keep them for the session.
        "cache-control": "private, max-age=3600",
      },
    });
  } catch (error) {
    const e = toTRPCError(error);
    return Response.json({ error: { message: e.message, code: e.code } }, { status: getHTTPStatusCodeFromError(e) });
  }
}
