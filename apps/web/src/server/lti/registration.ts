import { consumeLaunchToken, registerPlatform } from "@stepwise/db/lti";
import { fetchPlatformConfiguration, LaunchError, registerWithPlatform } from "@stepwise/lti";
import { type LtiDeps, publicOrigin, toolUrls } from "./deps";
import { escapeHtml, ltiPage, originOf } from "./html";

/** How long an instructor's dynamic-registration link stays usable: long enough to hand it to an LMS administrator. */
export const REGISTRATION_LINK_TTL_MS = 7 * 24 * 3_600_000;

/** The message that tells the LMS the registration is over (IMS LTI Dynamic Registration). */
export const CLOSE_SCRIPT = `(window.opener || window.parent).postMessage({ subject: "org.imsglobal.lti.close" }, "*");`;

/**
 * The LMS opens an instructor's registration link (`/api/lti/register?token=…`) with
 * `openid_configuration` and `registration_token` added. Anyone could serve an OpenID configuration, so
 * the link's one-time token — made by a signed-in instructor — is what lets a platform in, and the
 * platform is registered as theirs, exactly as if they had filled in the form.
 */
export async function handleDynamicRegistration(req: Request, deps: LtiDeps): Promise<Response> {
  const params = new URL(req.url).searchParams;
  const configurationUrl = params.get("openid_configuration") ?? "";
  const frameAncestors = [originOf(configurationUrl)].filter((o): o is string => o !== null);
  try {
    if (!configurationUrl)
      throw new LaunchError("bad_request", "Dynamic registration: the LMS must open this link with an openid_configuration parameter.");
    const entry = await consumeLaunchToken(deps.db, { token: params.get("token") ?? "", kind: "registration", now: deps.clock() });
    if (!entry)
      throw new LaunchError(
        "replayed",
        "This registration link was already used or has expired (they last a week); make a new one on the course settings page in Stepwise.",
      );
    const registrationToken = params.get("registration_token");
    const configuration = await fetchPlatformConfiguration(deps.fetch, configurationUrl, registrationToken);
    const urls = toolUrls(publicOrigin(req, deps.trustedProxies));
    const registration = await registerWithPlatform(deps.fetch, configuration, registrationToken, { name: "Stepwise", ...urls });
    const platform = await registerPlatform(deps.db, registration, { registeredBy: entry.userId, now: deps.clock() });
    return ltiPage({
      title: "Stepwise is registered",
      frameAncestors: [...frameAncestors, originOf(platform.issuer)].filter((o): o is string => o !== null),
      script: CLOSE_SCRIPT,
      body: `<h1>Stepwise is registered</h1><p data-testid="registered">${escapeHtml(platform.issuer)} (client id <code>${escapeHtml(platform.clientId)}</code>, deployment <code>${escapeHtml(platform.deploymentIds.join(", "))}</code>) can now launch Stepwise.</p><p>Return to the LMS to finish installing the tool.</p>`,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const known =
      error instanceof LaunchError ||
      (error instanceof Error && ["PlatformServiceError", "ValidationError", "PreconditionError"].includes(error.name));
    return ltiPage({
      title: "Registration failed",
      status: known ? 400 : 500,
      frameAncestors,
      body: `<h1>Stepwise could not register this LMS</h1><p class="error">${escapeHtml(message)}</p>`,
    });
  }
}
