import { CLAIM } from "./claims";
import { signWithToolKey } from "./keys";
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
