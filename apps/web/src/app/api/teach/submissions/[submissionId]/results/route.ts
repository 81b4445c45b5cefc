import { apiConfigFromEnv } from "~/server/config";
import { getDb } from "~/server/db";
import { handleGradescopeExport } from "~/server/services/export-http";

export const dynamic = "force-dynamic";

/** Gradescope's autograder `results.json` for one submission (downloaded as results.json). */
export async function GET(req: Request, { params }: { params: Promise<{ submissionId: string }> }): Promise<Response> {
  const { submissionId } = await params;
  return handleGradescopeExport(req, { db: await getDb(), config: apiConfigFromEnv(), submissionId });
}
