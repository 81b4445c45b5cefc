import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import type { Db } from "@stepwise/db";
import type { ApiConfig } from "./config";
import { appRouter } from "./root";
import { csrfViolation } from "./security";
import { readCookie, SESSION_COOKIE } from "./session";
import { createContext } from "./trpc";

function tooLarge(limit: number): Response {
  return Response.json(
    { error: { message: `Request bodies are limited to ${Math.round(limit / 1024)} KB.`, code: "PAYLOAD_TOO_LARGE" } },
    { status: 413 },
  );
}

/**
 * Caps the body before tRPC parses it: the declared length first, then the bytes actually read
 * (a chunked request has no Content-Length).
 */
async function capped(req: Request, limit: number): Promise<Request | Response> {
  if (req.method !== "POST") return req;
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > limit) return tooLarge(limit);
  const body = await req.arrayBuffer();
  if (body.byteLength > limit) return tooLarge(limit);
  return new Request(req.url, { method: req.method, headers: req.headers, body, signal: req.signal });
}

export interface HttpOptions {
  db: () => Promise<Db>;
  config: ApiConfig;
  maxRequestBytes: number;
  now?: () => number;
  /** Read the client IP from `X-Forwarded-For` (true behind `next start` or a proxy that sets it). */
  trustProxy?: boolean;
}

/**
 * The client address used for rate limits: the LAST `X-Forwarded-For` hop, which the proxy in front
 * of us appended (nginx `$proxy_add_x_forwarded_for`); earlier hops are whatever the client sent.
 * Without a proxy, `next start` sets the header from the socket only when the request has none, so
 * a client talking to Next directly can choose its address: per-email limits still hold then.
 */
export function clientIpOf(req: Request, trustProxy: boolean): string | null {
  if (!trustProxy) return null;
  const last = req.headers.get("x-forwarded-for")?.split(",").at(-1)?.trim();
  const ip = last && last.length <= 64 ? last : null;
  return ip ? ip.replace(/^::ffff:/, "") : null;
}

export async function handleTrpcRequest(incoming: Request, options: HttpOptions): Promise<Response> {
  const csrf = csrfViolation(incoming);
  if (csrf) return Response.json({ error: { message: csrf.message, code: csrf.code } }, { status: 403 });
  const req = await capped(incoming, options.maxRequestBytes);
  if (req instanceof Response) return req;
  const db = await options.db();
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: ({ resHeaders }) =>
      createContext({
        db,
        config: options.config,
        now: options.now,
        sessionToken: readCookie(req.headers.get("cookie"), SESSION_COOKIE),
        secureCookies: new URL(req.url).protocol === "https:",
        resHeaders,
        clientIp: clientIpOf(req, options.trustProxy ?? true),
      }),
    onError({ error, path }) {
      if (error.code === "INTERNAL_SERVER_ERROR") console.error(`tRPC ${path ?? "?"} failed:`, error.cause ?? error);
    },
  });
}
