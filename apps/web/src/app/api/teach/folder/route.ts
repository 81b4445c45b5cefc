import { env } from "~/env";
import { apiConfigFromEnv } from "~/server/config";
import { getDb } from "~/server/db";
import { handleFolderImport } from "~/server/folder-http";

export const dynamic = "force-dynamic";

export async function POST(req: Request): Promise<Response> {
  return handleFolderImport(req, { db: await getDb(), config: apiConfigFromEnv(), trustedProxies: env().TRUSTED_PROXIES });
}
