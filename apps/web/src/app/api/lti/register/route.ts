import { handleDynamicRegistration } from "~/server/lti/registration";
import { routeDeps } from "~/server/lti/route-deps";

export const dynamic = "force-dynamic";

/** LTI Dynamic Registration: the LMS opens an instructor's registration link here. */
export async function GET(req: Request): Promise<Response> {
  return handleDynamicRegistration(req, await routeDeps());
}
