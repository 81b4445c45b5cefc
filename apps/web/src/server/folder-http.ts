import { TRPCError } from "@trpc/server";
import { declaredOver, readBodyCapped } from "./body-cap";
import { callerFor, download, errorResponse, requireInstructorRole, type RouteOptions } from "./http-glue";
import { csrfViolation } from "./security";
import { MAX_ZIP_BYTES } from "./services/course-zip";

interface FolderHttpOptions extends RouteOptions {
  /** `TRUSTED_PROXIES`: whether `X-Forwarded-Host` may name the host the browser addressed. */
  trustedProxies?: number;
}

/** GET /api/teach/:courseId/folder — the course as a zipped course folder, for its instructors (through `folder.export`). */
export async function handleFolderExport(req: Request, options: FolderHttpOptions & { courseId: string }): Promise<Response> {
  try {
    const caller = await callerFor(req, options);
    const { fileName, zipBase64 } = await caller.folder.export({ courseId: options.courseId });
    return download(new Uint8Array(Buffer.from(zipBase64, "base64")), "application/zip", fileName);
  } catch (error) {
    return errorResponse(error);
  }
}

/**
 * Why an upload must be refused, or null. The body is the zip itself, sent as `application/zip`:
 * like JSON, a type a cross-site `<form>` cannot send without a CORS preflight. The Origin and
 * Sec-Fetch-Site rules are the tRPC endpoint's (`csrfViolation`), applied to the same headers.
 */
export function uploadViolation(req: Request, trustedProxies = 0): { code: string; message: string } | null {
  const type = (req.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (type !== "application/zip") {
    return {
      code: "CSRF_CONTENT_TYPE",
      message: `Course folder uploads must be sent as application/zip, got ${type ? `"${type}"` : "no content type"}.`,
    };
  }
  const headers = new Headers(req.headers);
  headers.set("content-type", "application/json");
  return csrfViolation(new Request(req.url, { method: "POST", headers }), trustedProxies);
}

/** POST /api/teach/folder — imports a zipped course folder (the raw body, at most 10 MB) as a new course. */
export async function handleFolderImport(req: Request, options: FolderHttpOptions): Promise<Response> {
  const violation = uploadViolation(req, options.trustedProxies ?? 0);
  if (violation) return Response.json({ error: violation }, { status: 403 });
  const tooLarge = () =>
    Response.json(
      { error: { message: `A course folder zip must be at most ${MAX_ZIP_BYTES / (1024 * 1024)} MB.`, code: "PAYLOAD_TOO_LARGE" } },
      { status: 413 },
    );
  if (declaredOver(req, MAX_ZIP_BYTES)) return tooLarge();
  try {
    const caller = await callerFor(req, options);
    // Identity first: an anonymous or student caller is refused before the body is read.
    const me = await caller.auth.me();
    if (!me) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue." });
    requireInstructorRole(me);
    // Counted while streaming: a chunked body is cut off at the cap, never buffered whole.
    const body = await readBodyCapped(req, MAX_ZIP_BYTES);
    if (!body) return tooLarge();
    const { course, warnings } = await caller.folder.import({ zipBase64: Buffer.from(body).toString("base64") });
    return Response.json({ courseId: course.id, title: course.title, warnings });
  } catch (error) {
    return errorResponse(error);
  }
}
