import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import type { Db } from "@stepwise/db";
import type { ApiConfig } from "./config";
import { appRouter } from "./root";
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
}

/** The tRPC HTTP endpoint (batch + SSE) as a plain fetch handler; the Next route and tests both use it. */
export async function handleTrpcRequest(incoming: Request, options: HttpOptions): Promise<Response> {
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
      }),
    onError({ error, path }) {
      if (error.code === "INTERNAL_SERVER_ERROR") console.error(`tRPC ${path ?? "?"} failed:`, error.cause ?? error);
    },
  });
}
