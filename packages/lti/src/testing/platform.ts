import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createLocalJWKSet, exportJWK, generateKeyPair, type JSONWebKeySet, type JWK, jwtVerify, SignJWT, type CryptoKey } from "jose";
import { CLAIM } from "../claims";
import { PLATFORM_CONFIGURATION_CLAIM, TOOL_CONFIGURATION_CLAIM } from "../dynamic-registration";

/**
 * A small LTI 1.3 platform for tests, on a real node http server: its own RS256 keys and JWKS, an
 * OIDC authorization endpoint that answers with an auto-posting form, a client-credentials token
 * endpoint that checks the tool's signed assertion, AGS line items and scores, NRPS memberships
 * (paged), a deep-linking return endpoint, and a rate limiter answering like Canvas does.
 */

export interface TestUser {
  sub: string;
  name: string;
  email: string;
  /** Full LIS role URIs as launches carry them. */
  roles: string[];
  status?: "Active" | "Inactive" | "Deleted";
}

export const ROLE = {
  learner: "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner",
  instructor: "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor",
  ta: "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant",
} as const;

export interface ReceivedScore {
  lineItem: string;
  userId: string;
  scoreGiven: number;
  scoreMaximum: number;
  timestamp: string;
}

export interface TestPlatformOptions {
  /** The tool's public keys, to check client assertions and deep-linking responses. */
  toolJwks: () => Promise<JSONWebKeySet>;
  clientId?: string;
  deploymentId?: string;
  /** expires_in of issued access tokens (s). */
  tokenTtlSeconds?: number;
  /** Members per NRPS page. */
  pageSize?: number;
}

export class TestPlatform {
  readonly clientId: string;
  readonly deploymentId: string;
  readonly contextId = "course-ctx-1";
  users = new Map<string, TestUser>();
  readonly scores: ReceivedScore[] = [];
  readonly lineItems = new Map<string, { id: string; label: string; scoreMaximum: number; resourceLinkId?: string }>();
  readonly deepLinkResponses: Array<Record<string, unknown>> = [];
  /** Every request to a service endpoint (token, AGS, NRPS), with the answer's status. */
  readonly serviceLog: Array<{ path: string; status: number }> = [];
  /** Client registrations tools posted through dynamic registration. */
  readonly toolRegistrations: Array<Record<string, unknown>> = [];
  /** The bearer token dynamic registration must present (the LMS hands it to the tool's registration URL). */
  readonly registrationToken = randomUUID();
  tokensIssued = 0;
  private readonly validTokens = new Set<string>();
  private limited: Array<"429" | "403"> = [];
  private server: Server | null = null;
  private key: { privateKey: CryptoKey; publicJwk: JWK; kid: string } | null = null;
  url = "";

  constructor(private readonly options: TestPlatformOptions) {
    this.clientId = options.clientId ?? "stepwise-client";
    this.deploymentId = options.deploymentId ?? "deployment-1";
  }

  get issuer(): string {
    return this.url;
  }

  async start(): Promise<this> {
    const { privateKey, publicKey } = await generateKeyPair("RS256");
    const kid = randomUUID();
    this.key = { privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" }, kid };
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        res.writeHead(500, { "content-type": "text/plain" }).end(error instanceof Error ? error.message : String(error));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // A browser still holding a connection to the LMS page would keep close() waiting for a minute,
    // until Node's request timeout: a stopped test platform drops its connections instead.
    server.closeAllConnections();
    await closed;
  }

  /** What to enter when registering this platform in Stepwise. */
  get registration() {
    return {
      issuer: this.issuer,
      clientId: this.clientId,
      deploymentIds: [this.deploymentId],
      authUrl: `${this.url}/auth`,
      tokenUrl: `${this.url}/token`,
      jwksUrl: `${this.url}/jwks`,
    };
  }

  get lineItemsUrl(): string {
    return `${this.url}/api/lti/courses/1/line_items`;
  }

  get membershipsUrl(): string {
    return `${this.url}/api/lti/courses/1/names_and_roles`;
  }

  /** What the LMS does with a deep-linked item's `lineItem`: a gradebook column; returns its URL. */
  addLineItem(item: { label: string; scoreMaximum: number; resourceLinkId?: string }): string {
    const id = `${this.lineItemsUrl}/${this.lineItems.size + 1}`;
    this.lineItems.set(id, { ...item, id });
    return id;
  }

  /**
   * The third-party login initiation the LMS starts a launch with, addressed to the tool's login URL;
   * `hint` travels as `lti_message_hint` and shapes the id_token (`message`, `custom`, `lineItem`, `resourceLinkId`).
   */
  loginInitiationUrl(
    toolLoginUrl: string,
    user: TestUser,
    hint: Record<string, unknown> = {},
    targetLinkUri = toolLoginUrl.replace(/\/login$/, "/launch"),
  ): string {
    const q = new URLSearchParams({
      iss: this.issuer,
      client_id: this.clientId,
      login_hint: user.sub,
      target_link_uri: targetLinkUri,
      lti_deployment_id: this.deploymentId,
      lti_message_hint: JSON.stringify(hint),
    });
    return `${toolLoginUrl}?${q.toString()}`;
  }

  /** Where the LMS sends an administrator who starts dynamic registration with the tool's registration URL. */
  registrationInitiationUrl(toolRegistrationUrl: string): string {
    const q = new URLSearchParams({
      openid_configuration: `${this.url}/.well-known/openid-configuration`,
      registration_token: this.registrationToken,
    });
    return `${toolRegistrationUrl}${toolRegistrationUrl.includes("?") ? "&" : "?"}${q.toString()}`;
  }

  addUser(user: TestUser): TestUser {
    this.users.set(user.sub, user);
    return user;
  }

  /** The next `count` service requests are refused: `429` with Retry-After, or Canvas's `403` with `x-rate-limit-remaining: 0`. */
  rateLimit(kind: "429" | "403", count: number): void {
    for (let i = 0; i < count; i++) this.limited.push(kind);
  }

  /** Forgets every access token issued so far, as if they expired early. */
  expireTokens(): void {
    this.validTokens.clear();
  }

  /**
   * A signed id_token for `user` (a resource-link launch unless `message` says otherwise). `overrides`
   * replaces claims (e.g. `aud`, `exp`); `signWith` signs with another key (a forgery).
   */
  async idToken(input: {
    user: TestUser;
    nonce: string;
    now?: number;
    resourceLinkId?: string;
    custom?: Record<string, string>;
    lineItem?: string;
    message?: "LtiResourceLinkRequest" | "LtiDeepLinkingRequest";
    returnUrl?: string;
    targetLinkUri?: string;
    overrides?: Record<string, unknown>;
    signWith?: CryptoKey;
  }): Promise<string> {
    if (!this.key) throw new Error("start the test platform first");
    const now = Math.floor((input.now ?? Date.now()) / 1000);
    const message = input.message ?? "LtiResourceLinkRequest";
    const claims: Record<string, unknown> = {
      iss: this.issuer,
      aud: this.clientId,
      azp: this.clientId,
      sub: input.user.sub,
      nonce: input.nonce,
      iat: now,
      exp: now + 300,
      name: input.user.name,
      email: input.user.email,
      [CLAIM.messageType]: message,
      [CLAIM.version]: "1.3.0",
      [CLAIM.deploymentId]: this.deploymentId,
      [CLAIM.roles]: input.user.roles,
      [CLAIM.context]: { id: this.contextId, label: "ML101", title: "Machine Learning 101" },
      [CLAIM.targetLinkUri]: input.targetLinkUri ?? "https://tool.example/launch",
      [CLAIM.custom]: input.custom ?? {},
      [CLAIM.nrps]: { context_memberships_url: this.membershipsUrl, service_versions: ["2.0"] },
      [CLAIM.ags]: {
        scope: ["https://purl.imsglobal.org/spec/lti-ags/scope/lineitem", "https://purl.imsglobal.org/spec/lti-ags/scope/score"],
        lineitems: this.lineItemsUrl,
        ...(input.lineItem === undefined ? {} : { lineitem: input.lineItem }),
      },
    };
    if (message === "LtiResourceLinkRequest") claims[CLAIM.resourceLink] = { id: input.resourceLinkId ?? "link-1", title: "Step 5" };
    else
      claims[CLAIM.deepLinkingSettings] = {
        deep_link_return_url: input.returnUrl ?? `${this.url}/deep-link-return`,
        accept_types: ["ltiResourceLink"],
        data: "opaque-42",
      };
    Object.assign(claims, input.overrides ?? {});
    return new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid: this.key.kid }).sign(input.signWith ?? this.key.privateKey);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.url);
    const body = await readBody(req);
    if (url.pathname === "/jwks") return json(res, 200, { keys: this.key ? [this.key.publicJwk] : [] });
    if (url.pathname === "/auth") return this.authorize(url, res);
    if (url.pathname === "/embed")
      // Like an LMS's dialog, the page notes the tool's "close" message (dynamic registration's last step).
      return html(
        res,
        `<!doctype html><title>LMS</title><h1>Test LMS</h1><p id="closed"></p><iframe id="tool" title="Stepwise" src="${escapeHtml(url.searchParams.get("src") ?? "")}" style="width:900px;height:600px"></iframe>` +
          `<script>addEventListener("message", (e) => { if (e.data && e.data.subject === "org.imsglobal.lti.close") document.getElementById("closed").textContent = "The tool asked to close."; });</script>`,
      );
    if (url.pathname === "/deep-link-return") {
      const jwt = new URLSearchParams(body).get("JWT") ?? "";
      const { payload } = await jwtVerify(jwt, createLocalJWKSet(await this.options.toolJwks()), {
        audience: this.issuer,
        issuer: this.clientId,
      });
      this.deepLinkResponses.push(payload);
      return html(res, "<!doctype html><title>Added</title><p>Content added.</p>");
    }
    if (url.pathname === "/.well-known/openid-configuration") return json(res, 200, this.openidConfiguration());
    if (url.pathname === "/register" && req.method === "POST") return this.registerTool(req, body, res);
    const limit = this.limited.shift();
    if (limit === "429") return this.logged(res, url, 429, { error: "rate limited" }, { "retry-after": "1" });
    if (limit === "403")
      return this.logged(res, url, 403, { errors: [{ message: "Rate Limit Exceeded" }] }, { "x-rate-limit-remaining": "0" });
    if (url.pathname === "/token") return this.token(url, body, res);
    const auth = req.headers.authorization ?? "";
    if (!this.validTokens.has(auth.replace(/^Bearer /, ""))) return this.logged(res, url, 401, { error: "invalid token" });
    if (url.pathname === new URL(this.lineItemsUrl).pathname) {
      if (req.method === "POST") {
        const item = JSON.parse(body) as { label: string; scoreMaximum: number; resourceLinkId?: string };
        return this.logged(res, url, 201, { ...item, id: this.addLineItem(item) });
      }
      return this.logged(res, url, 200, [...this.lineItems.values()]);
    }
    const scores = /^\/api\/lti\/courses\/1\/line_items\/(\d+)\/scores$/.exec(url.pathname);
    if (scores && req.method === "POST") {
      const lineItem = `${this.lineItemsUrl}/${scores[1] ?? ""}`;
      if (!this.lineItems.has(lineItem)) return this.logged(res, url, 404, { error: "no such line item" });
      const score = JSON.parse(body) as Omit<ReceivedScore, "lineItem">;
      const user = this.users.get(score.userId);
      // Canvas refuses scores for anyone but students of the course.
      if (!user?.roles.includes(ROLE.learner)) return this.logged(res, url, 422, { error: "user is not a student in this course" });
      this.scores.push({
        lineItem,
        userId: score.userId,
        scoreGiven: score.scoreGiven,
        scoreMaximum: score.scoreMaximum,
        timestamp: score.timestamp,
      });
      return this.logged(res, url, 200, {});
    }
    if (url.pathname === new URL(this.membershipsUrl).pathname) {
      const size = this.options.pageSize ?? 2;
      const page = Number(url.searchParams.get("page") ?? "0");
      const all = [...this.users.values()];
      const members = all.slice(page * size, page * size + size).map((u) => ({
        user_id: u.sub,
        name: u.name,
        email: u.email,
        roles: u.roles.map((r) => r.replace(/^.*[#/]/, "")),
        status: u.status ?? "Active",
      }));
      const headers: Record<string, string> = {};
      if ((page + 1) * size < all.length) headers.link = `<${this.membershipsUrl}?page=${page + 1}>; rel="next"`;
      return this.logged(res, url, 200, { id: this.membershipsUrl, context: { id: this.contextId }, members }, headers);
    }
    return json(res, 404, { error: `no route ${url.pathname}` });
  }

  private openidConfiguration() {
    return {
      issuer: this.issuer,
      authorization_endpoint: `${this.url}/auth`,
      token_endpoint: `${this.url}/token`,
      jwks_uri: `${this.url}/jwks`,
      registration_endpoint: `${this.url}/register`,
      [PLATFORM_CONFIGURATION_CLAIM]: {
        product_family_code: "stepwise-test-lms",
        version: "1.0",
        messages_supported: [{ type: "LtiResourceLinkRequest" }, { type: "LtiDeepLinkingRequest" }],
      },
    };
  }

  /** The registration endpoint: checks the registration token and the fields a tool must send, then assigns this platform's client and deployment ids. */
  private registerTool(req: IncomingMessage, body: string, res: ServerResponse): void {
    if (req.headers.authorization !== `Bearer ${this.registrationToken}`) return json(res, 401, { error: "invalid_token" });
    const registration = JSON.parse(body) as Record<string, unknown>;
    const missing = ["initiate_login_uri", "redirect_uris", "jwks_uri", "client_name", TOOL_CONFIGURATION_CLAIM].filter(
      (k) => registration[k] === undefined,
    );
    if (missing.length > 0 || registration.token_endpoint_auth_method !== "private_key_jwt")
      return json(res, 400, { error: "invalid_client_metadata", missing });
    this.toolRegistrations.push(registration);
    const tool = registration[TOOL_CONFIGURATION_CLAIM] as Record<string, unknown>;
    return json(res, 200, {
      ...registration,
      client_id: this.clientId,
      [TOOL_CONFIGURATION_CLAIM]: { ...tool, deployment_id: this.deploymentId },
    });
  }

  /** The OIDC authorization endpoint: answers with a form that posts the id_token to the tool. */
  private async authorize(url: URL, res: ServerResponse): Promise<void> {
    const q = url.searchParams;
    const user = this.users.get(q.get("login_hint") ?? "");
    const problems = [
      q.get("client_id") !== this.clientId && "client_id",
      q.get("response_type") !== "id_token" && "response_type",
      q.get("scope") !== "openid" && "scope",
      !user && "login_hint",
      !q.get("nonce") && "nonce",
    ].filter(Boolean);
    if (!user || problems.length > 0) return json(res, 400, { error: "invalid_request", fields: problems });
    const hint = JSON.parse(q.get("lti_message_hint") ?? "{}") as {
      message?: "LtiDeepLinkingRequest";
      resourceLinkId?: string;
      custom?: Record<string, string>;
      lineItem?: string;
    };
    const idToken = await this.idToken({ user, nonce: q.get("nonce") ?? "", ...hint });
    const redirect = q.get("redirect_uri") ?? "";
    return html(
      res,
      `<!doctype html><title>Launching</title><form id="f" method="post" action="${escapeHtml(redirect)}">` +
        `<input type="hidden" name="id_token" value="${escapeHtml(idToken)}"><input type="hidden" name="state" value="${escapeHtml(q.get("state") ?? "")}">` +
        `<button>Continue</button></form><script>document.getElementById("f").submit()</script>`,
    );
  }

  private async token(url: URL, body: string, res: ServerResponse): Promise<void> {
    const form = new URLSearchParams(body);
    try {
      await jwtVerify(form.get("client_assertion") ?? "", createLocalJWKSet(await this.options.toolJwks()), {
        issuer: this.clientId,
        subject: this.clientId,
        audience: `${this.url}/token`,
      });
    } catch (error) {
      return this.logged(res, url, 401, { error: "invalid_client", detail: error instanceof Error ? error.message : String(error) });
    }
    const token = randomUUID();
    this.validTokens.add(token);
    this.tokensIssued++;
    return this.logged(res, url, 200, {
      access_token: token,
      token_type: "Bearer",
      expires_in: this.options.tokenTtlSeconds ?? 3600,
      scope: form.get("scope"),
    });
  }

  private logged(res: ServerResponse, url: URL, status: number, body: unknown, headers: Record<string, string> = {}): void {
    this.serviceLog.push({ path: url.pathname, status });
    json(res, status, body, headers);
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
}

function html(res: ServerResponse, body: string): void {
  res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(body);
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
