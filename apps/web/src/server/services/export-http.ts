import { type Db, gradebookData, jobById, verdictForJob } from "@stepwise/db";
import { lateness } from "@stepwise/exercises/course";
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import type { ApiConfig } from "../config";
import { toTRPCError } from "../errors";
import { courseGradebook, taughtSubmission } from "../routers/gradebook";
import { sessionCookieOf } from "../session";
import { createContext } from "../trpc";
import { deadlines, penaltyFor } from "./gradebook";
import { canvasCsv, exportFileName, gradescopeResults, gradesCsv } from "./exports";

/**
 * The export downloads (GET, session cookie): authenticated and authorized exactly like the tRPC
 * procedures (the same guards, through a context built from the cookie), errors as JSON with our codes.
 */
interface ExportOptions {
  db: Db;
  config: ApiConfig;
  now?: () => number;
}

async function signedIn(req: Request, options: ExportOptions) {
  const ctx = await createContext({ db: options.db, config: options.config, now: options.now, sessionCookie: sessionCookieOf(req.headers.get("cookie")) });
  if (!ctx.user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to download exports." });
  if (ctx.user.role === "student") throw new TRPCError({ code: "FORBIDDEN", message: "Only instructors may do that." });
  return { ...ctx, user: ctx.user };
}

function errorResponse(error: unknown): Response {
  const e = toTRPCError(error);
  return Response.json({ error: { message: e.message, code: e.code } }, { status: getHTTPStatusCodeFromError(e) });
}

function download(body: string, type: string, fileName: string): Response {
  return new Response(body, {
    headers: {
      "content-type": type,
      "content-disposition": `attachment; filename="${fileName}"`,
      // Grades are personal data: never kept by a shared cache.
      "cache-control": "private, no-store",
    },
  });
}

/** GET /api/teach/:courseId/export/grades (plain) or …/canvas (Canvas gradebook import). */
export async function handleGradesExport(req: Request, options: ExportOptions & { courseId: string; format: "grades" | "canvas" }): Promise<Response> {
  try {
    const ctx = await signedIn(req, options);
    const gradebook = await courseGradebook(ctx, options.courseId);
    // The plain CSV starts with a UTF-8 byte-order mark so Excel reads accented names right (other
    // spreadsheets skip it); the Canvas file goes to Canvas's importer as Canvas itself writes it, without.
    const body = options.format === "canvas" ? canvasCsv(gradebook) : `\uFEFF${gradesCsv(gradebook)}`;
    return download(body, "text/csv; charset=utf-8; header=present", exportFileName(gradebook.course.title, options.format === "canvas" ? "canvas.csv" : "grades.csv"));
  } catch (error) {
    return errorResponse(error);
  }
}

/** GET /api/teach/submissions/:submissionId/results — the submission's current verdict as Gradescope's results.json. */
export async function handleGradescopeExport(req: Request, options: ExportOptions & { submissionId: string }): Promise<Response> {
  try {
    const ctx = await signedIn(req, options);
    const { submission, assignment } = await taughtSubmission(ctx, options.submissionId);
    const data = await gradebookData(ctx.db, { courseId: assignment.courseId, assignmentId: assignment.id });
    const attempt = data?.attempts.find((a) => a.submissionId === submission.id);
    if (!data || !attempt?.job || !attempt.verdict) throw new TRPCError({ code: "PRECONDITION_FAILED", message: "This submission has no verdict yet: export it once it is graded." });
    const [job, verdict] = await Promise.all([jobById(ctx.db, attempt.job.id), verdictForJob(ctx.db, attempt.job.id)]);
    if (!job || !verdict) throw new TRPCError({ code: "PRECONDITION_FAILED", message: "This submission has no verdict yet: export it once it is graded." });
    const late = lateness(submission.createdAt, deadlines(data)(assignment.id, submission.userId), penaltyFor(assignment, data.settings));
    const executionMs = job.startedAt !== null && job.finishedAt !== null ? job.finishedAt - job.startedAt : null;
    const results = gradescopeResults({ verdict, lateness: late, executionMs });
    return download(`${JSON.stringify(results, null, 2)}\n`, "application/json; charset=utf-8", "results.json");
  } catch (error) {
    return errorResponse(error);
  }
}
