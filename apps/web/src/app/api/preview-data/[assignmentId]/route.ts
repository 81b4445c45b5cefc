import { apiConfigFromEnv } from "~/server/config";
import { getDb } from "~/server/db";
import { handlePreviewRequest } from "~/server/preview-http";

export const dynamic = "force-dynamic";

export async function GET(req: Request, { params }: { params: Promise<{ assignmentId: string }> }): Promise<Response> {
  const { assignmentId } = await params;
  return handlePreviewRequest(req, { db: await getDb(), config: apiConfigFromEnv(), assignmentId });
}
