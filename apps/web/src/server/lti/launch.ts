import { createSession } from "@stepwise/db";
import {
  consumeLaunchToken,
  consumeLoginState,
  createLoginState,
  issueLaunchToken,
  type LaunchFacts,
  linkMember,
  platformById,
  platformFor,
  provisionLaunch,
} from "@stepwise/db/lti";
import {
  authorizationUrl,
  CLAIM,
  isDeepLinking,
  LaunchError,
  LINK_PARAM,
  type LtiMessage,
  mapRoles,
  parseLoginInitiation,
  randomToken,
  verifyIdToken,
  verifyLinkToken,
} from "@stepwise/lti";
import { isHttps } from "../security";
import { readCookie, SECURE_SESSION_COOKIE, SESSION_COOKIE, signSessionToken } from "../session";
import { LAUNCH_TOKEN_TTL_MS, LOGIN_STATE_TTL_MS, type LtiDeps, publicOrigin, registrationOf, toolJwks, toolUrls } from "./deps";
import { deepLinkPicker } from "./deep-link";
import { escapeHtml, ltiPage, originOf } from "./html";

/**
 * The browser side of an LTI launch, and why it looks like this. An LMS shows a tool in an iframe,
 * where a browser that blocks third-party cookies sends none of ours — so nothing here depends on a
 * cookie arriving. The login state lives in the database (single use, ten minutes) and travels as
 * `state`; a `SameSite=None` state cookie is set too and, when the browser does send it back, must
 * match (a launch started in another browser is refused). The verified launch does not sign anyone in
 * inside the frame: it hands a one-time, two-minute launch token to a top-level window ("Open
 * Stepwise"), which exchanges it for the ordinary session cookie (SameSite=Lax, first-party). The
 * session cookie, the CSRF rules of the API and the page CSP stay exactly as they are.
 */
export const STATE_COOKIE = "stepwise_lti_state";

function refusal(error: unknown, frameAncestors: string[]): Response {
  const known = error instanceof LaunchError;
  const message = error instanceof Error ? error.message : String(error);
  const status =
    known && error.code === "unknown_platform" ? 404 : known || (error instanceof Error && error.name === "PreconditionError") ? 400 : 500;
  return ltiPage({
    title: "Launch refused",
    status,
    frameAncestors,
    body: `<h1>Stepwise could not open this link</h1><p class="error" data-code="${known ? error.code : "error"}">${escapeHtml(message)}</p><p>Go back to the LMS and open the link again; if it keeps failing, show this message to your LMS administrator.</p>`,
  });
}

async function formOrQuery(req: Request): Promise<Record<string, string>> {
  const params = new URLSearchParams(new URL(req.url).search);
  if (req.method === "POST") for (const [k, v] of new URLSearchParams(await req.text())) params.set(k, v);
  return Object.fromEntries(params);
}

/** Third-party login initiation (GET or POST): remember state + nonce, redirect to the platform's auth endpoint. */
export async function handleLogin(req: Request, deps: LtiDeps): Promise<Response> {
  try {
    const login = parseLoginInitiation(await formOrQuery(req));
    const platform = await platformFor(deps.db, login.iss, login.client_id);
    if (!platform)
      throw new LaunchError(
        "unknown_platform",
        `No LMS is registered with issuer "${login.iss}"${login.client_id ? ` and client id "${login.client_id}"` : ""}; register it in Stepwise first.`,
      );
    if (login.lti_deployment_id !== undefined && !platform.deploymentIds.includes(login.lti_deployment_id))
      throw new LaunchError(
        "unknown_deployment",
        `Deployment "${login.lti_deployment_id}" of ${platform.issuer} is not registered in Stepwise.`,
      );
    const state = randomToken();
    const nonce = randomToken();
    const now = deps.clock();
    await createLoginState(deps.db, { platformId: platform.id, state, nonce, now, ttlMs: LOGIN_STATE_TTL_MS });
    const url = authorizationUrl(registrationOf(platform), login, {
      redirectUri: toolUrls(publicOrigin(req, deps.trustedProxies)).launchUrl,
      state,
      nonce,
    });
    const secure = isHttps(req, deps.trustedProxies);
    // SameSite=None needs Secure; over plain HTTP (local development) the cookie is Lax and simply
    // does not come back from a framed launch, which the launch tolerates.
    const cookie = `${STATE_COOKIE}=${state}; Path=/api/lti; HttpOnly; Max-Age=${LOGIN_STATE_TTL_MS / 1000}; ${secure ? "SameSite=None; Secure" : "SameSite=Lax"}`;
    return new Response(null, { status: 302, headers: { location: url.toString(), "set-cookie": cookie, "cache-control": "no-store" } });
  } catch (error) {
    return refusal(error, []);
  }
}

/** The id_token form post: verify, provision, and hand the launch to a top-level window. */
export async function handleLaunch(req: Request, deps: LtiDeps): Promise<Response> {
  let frameAncestors: string[] = [];
  try {
    const form = await formOrQuery(req);
    const idToken = form.id_token;
    const state = form.state;
    if (!idToken || !state)
      throw new LaunchError(
        "bad_request",
        "A launch needs the id_token and state fields the LMS posts; this request had " + (idToken ? "no state." : "no id_token."),
      );
    const now = deps.clock();
    const login = await consumeLoginState(deps.db, { state, now });
    if (!login)
      throw new LaunchError("replayed", "This launch was already used or took too long (over 10 minutes); open the link in the LMS again.");
    const cookieState = readCookie(req.headers.get("cookie"), STATE_COOKIE);
    if (cookieState !== null && cookieState !== state)
      throw new LaunchError("bad_state", "This launch was started in another browser window or tab; open the link in the LMS again.");
    const platform = await platformById(deps.db, login.platformId);
    const registration = registrationOf(platform);
    frameAncestors = [originOf(platform.authUrl), originOf(platform.issuer)].filter((o): o is string => o !== null);
    const message = await verifyIdToken(idToken, { platform: registration, keys: deps.platformKeys, now, nonce: login.nonce });
    const role = mapRoles(message[CLAIM.roles]);
    const member = { sub: message.sub, name: displayName(message), email: message.email ?? null, role };
    const contextClaim = message[CLAIM.context];
    if (!contextClaim)
      throw new LaunchError("bad_claims", "The launch has no context claim: Stepwise is placed in a course, not at the LMS's top level.");
    const context = {
      id: contextClaim.id,
      title: contextClaim.title ?? contextClaim.label ?? "LMS course",
      deploymentId: message[CLAIM.deploymentId],
      membershipsUrl: message[CLAIM.nrps]?.context_memberships_url ?? null,
      lineItemsUrl: message[CLAIM.ags]?.lineitems ?? null,
    };
    const origin = publicOrigin(req, deps.trustedProxies);
    if (isDeepLinking(message)) {
      if (role !== "instructor")
        throw new LaunchError("bad_claims", "Only an instructor of the LMS course can add Stepwise assignments to it.");
      const userId = await linkMember(deps.db, platform, member, now);
      const settings = message[CLAIM.deepLinkingSettings];
      const token = await issueLaunchToken(deps.db, {
        kind: "deep_link",
        userId,
        payload: { platformId: platform.id, context, returnUrl: settings.deep_link_return_url, data: settings.data ?? null },
        now,
        ttlMs: LOGIN_STATE_TTL_MS,
      });
      return deepLinkPicker(deps, { userId, token, contextId: context.id, platformId: platform.id, frameAncestors });
    }
    const custom = message[CLAIM.custom] ?? {};
    const link =
      typeof custom[LINK_PARAM] === "string"
        ? await verifyLinkToken(custom[LINK_PARAM], { jwks: await toolJwks(deps.db, now), platform: registration })
        : null;
    const facts: LaunchFacts = {
      platform,
      member,
      context,
      resourceLink: { id: message[CLAIM.resourceLink].id, lineItemUrl: message[CLAIM.ags]?.lineitem ?? null },
      linkedAssignment: link ? { id: link.assignmentId, courseId: link.courseId } : null,
    };
    const launched = await provisionLaunch(deps.db, facts, now);
    const to = launched.assignmentId
      ? launched.role === "instructor"
        ? `/teach/${launched.courseId}/assignments/${launched.assignmentId}`
        : `/courses/${launched.courseId}/assignments/${launched.assignmentId}`
      : launched.role === "instructor"
        ? `/teach/${launched.courseId}`
        : `/courses/${launched.courseId}`;
    const token = await issueLaunchToken(deps.db, {
      kind: "session",
      userId: launched.userId,
      payload: { to },
      now,
      ttlMs: LAUNCH_TOKEN_TTL_MS,
    });
    const enter = `${origin}/api/lti/enter?token=${encodeURIComponent(token)}`;
    // A top-level launch (the LMS opened us in a new window) goes straight in; a framed one is handed over.
    if (req.headers.get("sec-fetch-dest") !== "iframe")
      return new Response(null, { status: 303, headers: { location: enter, "cache-control": "no-store" } });
    return ltiPage({
      title: "Open Stepwise",
      frameAncestors,
      body: `<h1>${escapeHtml(context.title)}</h1><p>Signed in from your LMS as <strong>${escapeHtml(member.name)}</strong>.</p>
<p><a class="button" id="open" href="${escapeHtml(enter)}" target="_blank" rel="noopener">Open Stepwise in a new window</a></p>
<p>Stepwise opens in its own window so that your browser keeps you signed in there. This button works once, for two minutes.</p>`,
    });
  } catch (error) {
    return refusal(error, frameAncestors);
  }
}

function displayName(message: LtiMessage): string {
  return message.name ?? ([message.given_name, message.family_name].filter(Boolean).join(" ") || "LMS user");
}

/** Exchanges a one-time launch token for a session in this (top-level, first-party) window. */
export async function handleEnter(req: Request, deps: LtiDeps): Promise<Response> {
  const token = new URL(req.url).searchParams.get("token") ?? "";
  const now = deps.clock();
  const entry = token ? await consumeLaunchToken(deps.db, { token, kind: "session", now }) : null;
  if (!entry)
    return refusal(
      new LaunchError(
        "replayed",
        "This link to Stepwise was already used or has expired (they last two minutes); open the assignment from the LMS again.",
      ),
      [],
    );
  const payload = entry.payload as { to?: unknown };
  const to = typeof payload.to === "string" && payload.to.startsWith("/") && !payload.to.startsWith("//") ? payload.to : "/";
  const session = await createSession(deps.db, entry.userId, now, deps.sessionTtlMs);
  const secure = isHttps(req, deps.trustedProxies);
  const name = secure ? SECURE_SESSION_COOKIE : SESSION_COOKIE;
  const cookie = `${name}=${await signSessionToken(session.token, deps.authSecret)}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${Math.floor(deps.sessionTtlMs / 1000)}${secure ? "; Secure" : ""}`;
  return new Response(null, {
    status: 303,
    headers: { location: `${publicOrigin(req, deps.trustedProxies)}${to}`, "set-cookie": cookie, "cache-control": "no-store" },
  });
}
