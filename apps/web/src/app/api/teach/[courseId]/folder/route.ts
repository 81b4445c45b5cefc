import { apiConfigFromEnv } from "~/server/config";
import { getDb } from "~/server/db";
import { handleFolderExport } from "~/server/folder-http";

export const dynamic = "force-dynamic";

export async function GET(req: Request, { params }: { params: Promise<{ courseId: string }> }): Promise<Response> {
  const { courseId } = await params;
  return handleFolderExport(req, { db: await getDb(), config: apiConfigFromEnv(), courseId });
}
