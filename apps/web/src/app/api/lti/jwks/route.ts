import { getDb } from "~/server/db";
import { toolJwks } from "~/server/lti/deps";

export const dynamic = "force-dynamic";

/** Stepwise's public keys, for LMSs checking our client assertions and deep-linking responses. */
export async function GET(): Promise<Response> {
  const jwks = await toolJwks(await getDb(), Date.now());
  return Response.json(jwks, { headers: { "cache-control": "public, max-age=300" } });
}
