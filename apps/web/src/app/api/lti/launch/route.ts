import { handleLaunch } from "~/server/lti/launch";
import { routeDeps } from "~/server/lti/route-deps";

export const dynamic = "force-dynamic";

/** The LMS's form post of the id_token (resource-link and deep-linking launches). */
export async function POST(req: Request): Promise<Response> {
  return handleLaunch(req, await routeDeps());
}
