import { handleLogin } from "~/server/lti/launch";
import { routeDeps } from "~/server/lti/route-deps";

export const dynamic = "force-dynamic";

/** OIDC third-party login initiation: LMSs send it as a GET or a form POST. */
export async function GET(req: Request): Promise<Response> {
  return handleLogin(req, await routeDeps());
}

export async function POST(req: Request): Promise<Response> {
  return handleLogin(req, await routeDeps());
}
