import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from "jose";
import { CLAIM } from "./claims";
import { LaunchError } from "./errors";
import { signWithToolKey, TOOL_ALG } from "./keys";
import type { PlatformRegistration, ToolKey } from "./types";

/** What an instructor picked in the deep-linking dialog. */
export interface PickedResource {
  title: string;
  /** Our launch URL for the resource (the platform launches it later). */
  url: string;
  /** Custom parameters the platform sends back in every launch of the link (our assignment id). */
  custom: Record<string, string>;
  /** Creates a gradebook column in the LMS; absent for ungraded links. */
  lineItem?: { scoreMaximum: number; label: string; resourceId: string };
}

/**
 * The signed `LtiDeepLinkingResponse` (Deep Linking 2.0 §4.2) the browser posts back to the platform's
 * `deep_link_return_url` as the `JWT` form field. `nonce` and `aud` make it single-platform; `data` is echoed.
 */
export async function deepLinkingResponse(
  key: ToolKey,
  input: { platform: PlatformRegistration; deploymentId: string; data?: string; items: PickedResource[]; now: number },
): Promise<string> {
  return signWithToolKey(
    key,
    {
      iss: input.platform.clientId,
      aud: input.platform.issuer,
      azp: input.platform.clientId,
      nonce: crypto.randomUUID(),
      [CLAIM.messageType]: "LtiDeepLinkingResponse",
      [CLAIM.version]: "1.3.0",
      [CLAIM.deploymentId]: input.deploymentId,
      [CLAIM.deepLinkingContentItems]: input.items.map((item) => ({
        type: "ltiResourceLink",
        title: item.title,
        url: item.url,
        custom: item.custom,
        ...(item.lineItem ? { lineItem: item.lineItem } : {}),
      })),
      ...(input.data === undefined ? {} : { [CLAIM.deepLinkingData]: input.data }),
    },
    { now: input.now, ttlSeconds: 300 },
  );
}

/** The custom parameter a deep-linked resource carries our signed link token in. */
export const LINK_PARAM = "stepwise_link";

/**
 * A link token names the assignment a deep-linked resource launches. It is signed with our key,
 * so a custom parameter typed into an LMS cannot bind an LMS course to a Stepwise course its
 * instructor does not teach. It never expires: the LMS keeps the link for years.
 */
export async function linkToken(
  key: ToolKey,
  input: { platform: PlatformRegistration; assignmentId: string; courseId: string; now: number },
): Promise<string> {
  return signWithToolKey(
    key,
    { iss: "stepwise", aud: input.platform.issuer, sub: input.assignmentId, course: input.courseId },
    { now: input.now, ttlSeconds: 100 * 365 * 24 * 3600 },
  );
}

export async function verifyLinkToken(
  token: string,
  input: { jwks: JSONWebKeySet; platform: PlatformRegistration },
): Promise<{ assignmentId: string; courseId: string }> {
  try {
    const { payload } = await jwtVerify(token, createLocalJWKSet(input.jwks), {
      issuer: "stepwise",
      audience: input.platform.issuer,
      algorithms: [TOOL_ALG],
    });
    if (typeof payload.sub !== "string" || typeof payload.course !== "string") throw new Error("no assignment or course");
    return { assignmentId: payload.sub, courseId: payload.course };
  } catch (error) {
    throw new LaunchError(
      "bad_claims",
      `The link's ${LINK_PARAM} parameter is not one Stepwise signed for this LMS (${error instanceof Error ? error.message : String(error)}); add the assignment again through the LMS's tool picker.`,
    );
  }
}
