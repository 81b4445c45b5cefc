import { handleEnter } from "~/server/lti/launch";
import { routeDeps } from "~/server/lti/route-deps";

export const dynamic = "force-dynamic";

/** A one-time launch token exchanged for a session in a top-level window. */
export async function GET(req: Request): Promise<Response> {
  return handleEnter(req, await routeDeps());
}
