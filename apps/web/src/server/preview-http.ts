import { previewBytes } from "./datasets";
import { respond, signedIn, type RouteOptions } from "./http-glue";
import { assignmentScope } from "./scope";
import { studentExercise } from "./services/exercise-view";

/**
 * GET /api/preview-data/:assignmentId — the training subset the browser preview trains on, as the
 * compact binary of `lib/preview-format`. Only for members of the assignment's course.
 */
export function handlePreviewRequest(req: Request, options: RouteOptions & { assignmentId: string }): Promise<Response> {
  return respond(async () => {
    const ctx = await signedIn(req, options, "Sign in to download training data.");
    const { assignment, role } = await assignmentScope(ctx, options.assignmentId, "member");
    // A guided student's step-4 preparation and IMDB vocabulary, as the grader will apply them to this step's runs.
    const { exercise, decisions } = await studentExercise(ctx.db, assignment, { userId: ctx.user.id, role, now: ctx.now() });
    // The dataset the assignment grades on (an instructor's CSV override included), training rows only.
    const bytes = await previewBytes(ctx.db, assignment.courseId, exercise, decisions?.preparation);
    return new Response(new Uint8Array(bytes), {
      headers: {
        "content-type": "application/octet-stream",
        // The same bytes for every student who prepared the data alike; short-lived, since an instructor may change its dataset.
        "cache-control": "private, max-age=300",
      },
    });
  });
}
