import { isIP } from "node:net";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import type { Db } from "@stepwise/db";
import type { ApiConfig } from "./config";
import { appRouter } from "./root";
import { csrfViolation } from "./security";
import { sessionCookieOf } from "./session";
import { createContext } from "./trpc";

const DATASET_UPLOAD = "courseDataset.upload";

const sizeText = (bytes: number) => (bytes >= 1024 * 1024 ? `${+(bytes / (1024 * 1024)).toFixed(1)} MB` : `${Math.round(bytes / 1024)} KB`);

/**
 * A 413 shaped as a tRPC error response (superjson's `{json: …}` envelope, a numeric JSON-RPC code),
 * so the browser's tRPC client shows the message instead of "Unable to transform response".
 */
function tooLarge(limit: number, what: string): Response {
  const message = `${what} limited to ${sizeText(limit)}.`;
  return Response.json(
    { error: { json: { message, code: -32413, data: { code: "PAYLOAD_TOO_LARGE", httpStatus: 413 } } } },
    { status: 413 },
  );
}

/**
 * Caps the body before tRPC parses it: the declared length first, then the bytes actually read
 * (a chunked request has no Content-Length).
 */
async function capped(req: Request, limit: number, what: string): Promise<Request | Response> {
  if (req.method !== "POST") return req;
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > limit) return tooLarge(limit, what);
  const body = await req.arrayBuffer();
  if (body.byteLength > limit) return tooLarge(limit, what);
  return new Request(req.url, { method: req.method, headers: req.headers, body, signal: req.signal });
}

/**
 * The body cap of one request: the dataset-upload cap when it calls `courseDataset.upload` alone
 * (a batch naming it with anything else keeps the general cap, so the upload cannot carry others),
 * the general cap otherwise.
 */
export function bodyLimitOf(req: Request, options: Pick<HttpOptions, "maxRequestBytes" | "config">): { limit: number; what: string } {
  const path = decodeURIComponent(new URL(req.url).pathname.replace(/^.*\/api\/trpc\//, ""));
  const upload = options.config.maxDatasetUploadBytes;
  if (upload !== undefined && path.split(",").every((p) => p === DATASET_UPLOAD)) return { limit: upload, what: "Dataset uploads (the CSV as sent, JSON-escaped) are" };
  return { limit: options.maxRequestBytes, what: "Request bodies are" };
}

export interface HttpOptions {
  db: () => Promise<Db>;
  config: ApiConfig;
  maxRequestBytes: number;
  now?: () => number;
  /** Reverse proxies in front of us that append to `X-Forwarded-For` (`TRUSTED_PROXIES`, default 0). */
  trustedProxies?: number;
}

/**
 * The client address used for per-IP rate limits. Each trusted proxy appends the address it received
 * the request from to `X-Forwarded-For`, so behind `trustedProxies` of them the client is the entry
 * that many hops from the right; everything left of it is whatever the client chose to send. With no
 * trusted proxy the header is ignored: `next start` fills it from the socket only when the client sent
 * none, so a client could pick its own address, and route handlers never see the socket itself.
 * Anything that is not an IP address (a forged or garbled entry) counts as unknown.
 */
export function clientIpOf(req: Request, trustedProxies: number): string | null {
  if (!Number.isInteger(trustedProxies) || trustedProxies <= 0) return null;
  const hops = (req.headers.get("x-forwarded-for") ?? "").split(",").map((hop) => hop.trim()).filter((hop) => hop.length > 0);
  const entry = hops.at(-trustedProxies);
  if (entry === undefined) return null;
  const ip = entry.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, "");
  return isIP(ip) === 0 ? null : ip.toLowerCase();
}

/** Whether the request came over HTTPS (directly, or as the proxy in front of us says). */
export function isHttps(req: Request): boolean {
  return new URL(req.url).protocol === "https:" || req.headers.get("x-forwarded-proto")?.split(",")[0]?.trim() === "https";
}

export async function handleTrpcRequest(incoming: Request, options: HttpOptions): Promise<Response> {
  const csrf = csrfViolation(incoming);
  if (csrf) return Response.json({ error: { message: csrf.message, code: csrf.code } }, { status: 403 });
  const { limit, what } = bodyLimitOf(incoming, options);
  const req = await capped(incoming, limit, what);
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
        sessionCookie: sessionCookieOf(req.headers.get("cookie")),
        secureCookies: isHttps(req),
        resHeaders,
        clientIp: clientIpOf(req, options.trustedProxies ?? 0),
      }),
    onError({ error, path }) {
      if (error.code === "INTERNAL_SERVER_ERROR") console.error(`tRPC ${path ?? "?"} failed:`, error.cause ?? error);
    },
  });
}
