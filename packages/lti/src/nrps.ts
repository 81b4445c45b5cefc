import { z } from "zod";
import { SCOPE } from "./claims";
import { type PlatformTokens, withToken } from "./services";
import type { Fetch, PlatformRegistration } from "./types";

export const Member = z.object({
  user_id: z.string().min(1),
  roles: z.array(z.string()),
  status: z.enum(["Active", "Inactive", "Deleted"]).default("Active"),
  name: z.string().optional(),
  given_name: z.string().optional(),
  family_name: z.string().optional(),
  email: z.string().optional(),
});
export type Member = z.infer<typeof Member>;

const Page = z.object({ members: z.array(Member) });

/** At most this many pages are followed: a platform that links pages in a loop cannot hold a sync forever. */
const MAX_PAGES = 200;

/** Every member of a context, following `Link: <…>; rel="next"` pages. */
export async function fetchMembers(
  deps: { fetch: Fetch; tokens: PlatformTokens },
  platform: PlatformRegistration,
  membershipsUrl: string,
): Promise<Member[]> {
  const members: Member[] = [];
  let next: string | null = membershipsUrl;
  for (let page = 0; next !== null && page < MAX_PAGES; page++) {
    const response: Response = await withToken(deps.tokens, deps.fetch, platform, [SCOPE.memberships], next, {
      method: "GET",
      headers: { accept: "application/vnd.ims.lti-nrps.v2.membershipcontainer+json" },
    });
    members.push(...Page.parse(await response.json()).members);
    next = nextLink(response.headers.get("link"));
  }
  return members;
}

function nextLink(header: string | null): string | null {
  if (!header) return null;
  for (const part of header.split(",")) {
    const match = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part);
    if (match?.[1]) return match[1];
  }
  return null;
}
