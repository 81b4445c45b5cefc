import { apiConfigFromEnv } from "~/server/config";
import { getDb } from "~/server/db";
import { handleGradesExport } from "~/server/services/export-http";

export const dynamic = "force-dynamic";

export async function GET(req: Request, { params }: { params: Promise<{ courseId: string }> }): Promise<Response> {
  const { courseId } = await params;
  return handleGradesExport(req, { db: await getDb(), config: apiConfigFromEnv(), courseId, format: "canvas" });
}
