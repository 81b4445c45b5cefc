import { z } from "zod";
import { SCOPE } from "./claims";
import { type PlatformTokens, withToken } from "./services";
import type { Fetch, PlatformRegistration } from "./types";

/** A score as AGS 2.0 carries it; `userId` is the LMS user's `sub`. */
export interface Score {
  userId: string;
  scoreGiven: number;
  scoreMaximum: number;
  /** ISO 8601; the platform keeps the latest by timestamp, so a late retry cannot overwrite a newer grade. */
  timestamp: string;
  comment?: string;
}

/** `<lineitem>/scores`, keeping the line item's query string (Canvas and Moodle put ids there). */
export function scoresUrl(lineItem: string): string {
  const url = new URL(lineItem);
  url.pathname = `${url.pathname.replace(/\/$/, "")}/scores`;
  return url.toString();
}

export async function postScore(
  deps: { fetch: Fetch; tokens: PlatformTokens },
  platform: PlatformRegistration,
  lineItem: string,
  score: Score,
): Promise<void> {
  await withToken(deps.tokens, deps.fetch, platform, [SCOPE.score], scoresUrl(lineItem), {
    method: "POST",
    headers: { "content-type": "application/vnd.ims.lis.v1.score+json" },
    body: JSON.stringify({
      userId: score.userId,
      scoreGiven: score.scoreGiven,
      scoreMaximum: score.scoreMaximum,
      timestamp: score.timestamp,
      activityProgress: "Completed",
      gradingProgress: "FullyGraded",
      ...(score.comment === undefined ? {} : { comment: score.comment }),
    }),
  });
}

const LineItem = z.object({ id: z.string().url(), scoreMaximum: z.number(), label: z.string() });

/** Creates a line item in the context's container; returns its URL. */
export async function createLineItem(
  deps: { fetch: Fetch; tokens: PlatformTokens },
  platform: PlatformRegistration,
  lineItems: string,
  item: { label: string; scoreMaximum: number; resourceLinkId?: string; tag?: string; resourceId?: string },
): Promise<string> {
  const response = await withToken(deps.tokens, deps.fetch, platform, [SCOPE.lineItem], lineItems, {
    method: "POST",
    headers: { "content-type": "application/vnd.ims.lis.v2.lineitem+json", accept: "application/vnd.ims.lis.v2.lineitem+json" },
    body: JSON.stringify(item),
  });
  return LineItem.parse(await response.json()).id;
}
