import { z } from "zod";
import { SCOPE } from "./claims";
import { LaunchError } from "./errors";
import { send } from "./services";
import type { Fetch, PlatformRegistration } from "./types";

/**
 * IMS LTI Dynamic Registration, the tool's side: the LMS opens our registration URL with
 * `openid_configuration` and `registration_token`; we read the platform's OpenID configuration, post
 * our client registration to its registration endpoint, and keep what it assigned (client id,
 * deployment id) as a platform registration.
 */
export const PLATFORM_CONFIGURATION_CLAIM = "https://purl.imsglobal.org/spec/lti-platform-configuration";
export const TOOL_CONFIGURATION_CLAIM = "https://purl.imsglobal.org/spec/lti-tool-configuration";

const Url = z.string().url();

export const PlatformConfiguration = z.object({
  issuer: Url,
  authorization_endpoint: Url,
  token_endpoint: Url,
  jwks_uri: Url,
  registration_endpoint: Url,
  [PLATFORM_CONFIGURATION_CLAIM]: z.object({ product_family_code: z.string().optional() }).passthrough().optional(),
});
export type PlatformConfiguration = z.infer<typeof PlatformConfiguration>;

const RegistrationAnswer = z.object({
  client_id: z.string().min(1),
  [TOOL_CONFIGURATION_CLAIM]: z
    .object({ deployment_id: z.string().min(1).optional() })
    .passthrough()
    .optional(),
});

/** What we tell the platform about ourselves: the URLs an administrator would otherwise paste. */
export interface ToolDescription {
  name: string;
  loginUrl: string;
  launchUrl: string;
  jwksUrl: string;
}

function refused(message: string): LaunchError {
  return new LaunchError("bad_request", `Dynamic registration: ${message}`);
}

/**
 * Reads the platform's OpenID configuration. The issuer must live on the host the configuration was
 * served from: otherwise whoever serves a configuration could register a platform in another's name.
 */
export async function fetchPlatformConfiguration(
  fetch: Fetch,
  configurationUrl: string,
  registrationToken: string | null,
): Promise<PlatformConfiguration> {
  let host: string;
  try {
    host = new URL(configurationUrl).host;
  } catch {
    throw refused(`openid_configuration "${configurationUrl}" is not a URL.`);
  }
  const response = await send(fetch, configurationUrl, {
    headers: { accept: "application/json", ...(registrationToken ? { authorization: `Bearer ${registrationToken}` } : {}) },
  });
  const parsed = PlatformConfiguration.safeParse(await response.json().catch(() => null));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw refused(
      `the platform's configuration at ${configurationUrl} is not usable: ${issue ? `${issue.path.join(".") || "body"}: ${issue.message}` : "invalid"}.`,
    );
  }
  if (new URL(parsed.data.issuer).host !== host)
    throw refused(`the configuration's issuer ${parsed.data.issuer} is not on ${host}, where the configuration came from.`);
  return parsed.data;
}

/** The client registration we post (OpenID Connect Dynamic Client Registration with LTI's tool configuration). */
export function clientRegistrationRequest(tool: ToolDescription): Record<string, unknown> {
  return {
    application_type: "web",
    response_types: ["id_token"],
    grant_types: ["implicit", "client_credentials"],
    initiate_login_uri: tool.loginUrl,
    redirect_uris: [tool.launchUrl],
    client_name: tool.name,
    jwks_uri: tool.jwksUrl,
    token_endpoint_auth_method: "private_key_jwt",
    scope: [SCOPE.lineItem, SCOPE.score, SCOPE.memberships].join(" "),
    [TOOL_CONFIGURATION_CLAIM]: {
      domain: new URL(tool.launchUrl).host,
      target_link_uri: tool.launchUrl,
      claims: ["iss", "sub", "name", "given_name", "family_name", "email"],
      messages: [{ type: "LtiDeepLinkingRequest", target_link_uri: tool.launchUrl, label: tool.name }],
    },
  };
}

/** Posts our registration; resolves with the platform as we store it (its assigned client id and deployment). */
export async function registerWithPlatform(
  fetch: Fetch,
  configuration: PlatformConfiguration,
  registrationToken: string | null,
  tool: ToolDescription,
): Promise<PlatformRegistration> {
  const response = await send(fetch, configuration.registration_endpoint, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json",
      ...(registrationToken ? { authorization: `Bearer ${registrationToken}` } : {}),
    },
    body: JSON.stringify(clientRegistrationRequest(tool)),
  });
  const parsed = RegistrationAnswer.safeParse(await response.json().catch(() => null));
  if (!parsed.success) throw refused(`the platform's registration endpoint answered without a client_id.`);
  const deploymentId = parsed.data[TOOL_CONFIGURATION_CLAIM]?.deployment_id;
  if (!deploymentId) throw refused(`the platform assigned no deployment_id; register it by hand with the deployment id it shows.`);
  return {
    issuer: configuration.issuer,
    clientId: parsed.data.client_id,
    deploymentIds: [deploymentId],
    authUrl: configuration.authorization_endpoint,
    tokenUrl: configuration.token_endpoint,
    jwksUrl: configuration.jwks_uri,
  };
}
