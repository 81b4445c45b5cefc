import type { Db } from "@stepwise/db";
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import type { ApiConfig } from "./config";
import { previewBytes } from "./datasets";
import { studentExercise } from "./services/exercise-view";
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
    const { assignment, role } = await requireAssignment({ db: ctx.db, user }, options.assignmentId);
    // A guided student's step-4 preparation and IMDB vocabulary, as the grader will apply them to this step's runs.
    const { exercise, decisions } = await studentExercise(ctx.db, assignment, { userId: user.id, role, now: ctx.now() });
    // The dataset the assignment grades on (an instructor's CSV override included), training rows only.
    const bytes = await previewBytes(ctx.db, assignment.courseId, exercise, decisions?.preparation);
    return new Response(new Uint8Array(bytes), {
      headers: {
        "content-type": "application/octet-stream",
        // The same bytes for every student who prepared the data alike; short-lived, since an instructor may change its dataset.
        "cache-control": "private, max-age=300",
      },
    });
  } catch (error) {
    const e = toTRPCError(error);
    return Response.json({ error: { message: e.message, code: e.code } }, { status: getHTTPStatusCodeFromError(e) });
  }
}
