import { gradebookData, jobById, verdictForJob } from "@stepwise/db";
import { lateness } from "@stepwise/exercises/course";
import { TRPCError } from "@trpc/server";
import { download, requireInstructorRole, respond, signedIn, type RouteOptions } from "../http-glue";
import { courseGradebook } from "../routers/gradebook";
import { courseScope, submissionScope } from "../scope";
import { deadlines, penaltyFor } from "./gradebook";
import { canvasCsv, exportFileName, gradescopeResults, gradesCsv } from "./exports";

/**
 * The export downloads (GET, session cookie): authenticated and authorized exactly like the tRPC
 * procedures (the global instructor role, then the course scope of `scope.ts`), errors as JSON with our codes.
 */
async function instructor(req: Request, options: RouteOptions) {
  const ctx = await signedIn(req, options, "Sign in to download exports.");
  requireInstructorRole(ctx.user);
  return ctx;
}

/** GET /api/teach/:courseId/export/grades (plain) or …/canvas (Canvas gradebook import). */
export function handleGradesExport(
  req: Request,
  options: RouteOptions & { courseId: string; format: "grades" | "canvas" },
): Promise<Response> {
  return respond(async () => {
    const ctx = await instructor(req, options);
    await courseScope(ctx, options.courseId, "instructor");
    const gradebook = await courseGradebook(ctx.db, options.courseId);
    // The plain CSV starts with a UTF-8 byte-order mark so Excel reads accented names right (other
    // spreadsheets skip it); the Canvas file goes to Canvas's importer as Canvas itself writes it, without.
    const body = options.format === "canvas" ? canvasCsv(gradebook) : `\uFEFF${gradesCsv(gradebook)}`;
    return download(
      body,
      "text/csv; charset=utf-8; header=present",
      exportFileName(gradebook.course.title, options.format === "canvas" ? "canvas.csv" : "grades.csv"),
    );
  });
}

/** GET /api/teach/submissions/:submissionId/results — the submission's current verdict as Gradescope's results.json. */
export function handleGradescopeExport(req: Request, options: RouteOptions & { submissionId: string }): Promise<Response> {
  return respond(async () => {
    const ctx = await instructor(req, options);
    const { submission, assignment } = await submissionScope(ctx, options.submissionId, "instructor");
    const data = await gradebookData(ctx.db, { courseId: assignment.courseId, assignmentId: assignment.id });
    const attempt = data?.attempts.find((a) => a.submissionId === submission.id);
    if (!data || !attempt?.job || !attempt.verdict)
      throw new TRPCError({ code: "PRECONDITION_FAILED", message: "This submission has no verdict yet: export it once it is graded." });
    const [job, verdict] = await Promise.all([jobById(ctx.db, attempt.job.id), verdictForJob(ctx.db, attempt.job.id)]);
    if (!job || !verdict)
      throw new TRPCError({ code: "PRECONDITION_FAILED", message: "This submission has no verdict yet: export it once it is graded." });
    const late = lateness(submission.createdAt, deadlines(data)(assignment.id, submission.userId), penaltyFor(assignment, data.settings));
    const executionMs = job.startedAt !== null && job.finishedAt !== null ? job.finishedAt - job.startedAt : null;
    const results = gradescopeResults({ verdict, lateness: late, executionMs });
    return download(`${JSON.stringify(results, null, 2)}\n`, "application/json; charset=utf-8", "results.json");
  });
}
