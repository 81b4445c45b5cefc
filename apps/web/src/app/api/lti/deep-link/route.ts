import { handleDeepLink } from "~/server/lti/deep-link";
import { routeDeps } from "~/server/lti/route-deps";

export const dynamic = "force-dynamic";

/** The deep-linking picker's form post. */
export async function POST(req: Request): Promise<Response> {
  return handleDeepLink(req, await routeDeps());
}
