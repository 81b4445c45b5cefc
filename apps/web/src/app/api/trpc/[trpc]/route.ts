import { env } from "~/env";
import { apiConfigFromEnv } from "~/server/config";
import { getDb } from "~/server/db";
import { handleTrpcRequest } from "~/server/http";

// Reads cookies and the database on every request.
export const dynamic = "force-dynamic";

function handler(req: Request): Promise<Response> {
  return handleTrpcRequest(req, {
    db: getDb,
    config: apiConfigFromEnv(),
    maxRequestBytes: env().MAX_REQUEST_BYTES,
    trustedProxies: env().TRUSTED_PROXIES,
  });
}

export { handler as GET, handler as POST };
