import type { Db } from "@stepwise/db";
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import type { ApiConfig } from "./config";
import { previewBytes } from "./datasets";
import { assignmentExercise } from "./services/exercise-view";
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
    // The dataset the assignment grades on (an instructor's CSV override included), training rows only.
    const bytes = await previewBytes(ctx.db, assignment.courseId, assignmentExercise(assignment));
    return new Response(new Uint8Array(bytes), {
      headers: {
        "content-type": "application/octet-stream",
        // Same bytes for every student of the assignment; short-lived, since an instructor may change its dataset.
        "cache-control": "private, max-age=300",
      },
    });
  } catch (error) {
    const e = toTRPCError(error);
    return Response.json({ error: { message: e.message, code: e.code } }, { status: getHTTPStatusCodeFromError(e) });
  }
}
