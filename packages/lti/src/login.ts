import { randomBytes } from "node:crypto";
import { z } from "zod";
import { LaunchError } from "./errors";
import type { PlatformRegistration } from "./types";

/** The third-party login initiation a platform sends (query string of a GET or form of a POST). */
export const LoginInitiation = z.object({
  iss: z.string().min(1, "iss is required"),
  login_hint: z.string().min(1, "login_hint is required"),
  target_link_uri: z.string().url("target_link_uri must be a URL"),
  client_id: z.string().min(1).optional(),
  lti_deployment_id: z.string().min(1).optional(),
  lti_message_hint: z.string().optional(),
});
export type LoginInitiation = z.infer<typeof LoginInitiation>;

export function parseLoginInitiation(params: Record<string, string>): LoginInitiation {
  const parsed = LoginInitiation.safeParse(params);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new LaunchError("bad_request", `Login initiation refused: ${issue ? `${issue.path.join(".")}: ${issue.message}` : "malformed"}.`);
  }
  return parsed.data;
}

/** A fresh opaque value for `state` or `nonce` (256 bits). */
export function randomToken(): string {
  return randomBytes(32).toString("base64url");
}

/**
 * The platform's authorization request for an id_token (LTI 1.3 core §5.1.1.2): implicit flow,
 * form_post back to our launch URL, no prompt. The caller has stored `state` and `nonce`.
 */
export function authorizationUrl(
  platform: PlatformRegistration,
  login: LoginInitiation,
  input: { redirectUri: string; state: string; nonce: string },
): URL {
  const url = new URL(platform.authUrl);
  const params: Record<string, string> = {
    scope: "openid",
    response_type: "id_token",
    response_mode: "form_post",
    prompt: "none",
    client_id: platform.clientId,
    redirect_uri: input.redirectUri,
    login_hint: login.login_hint,
    state: input.state,
    nonce: input.nonce,
  };
  if (login.lti_message_hint !== undefined) params.lti_message_hint = login.lti_message_hint;
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  return url;
}
