import { isIP } from "node:net";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import type { Db } from "@stepwise/db";
import { MAX_BATCH_CALLS, UNBATCHABLE } from "../lib/batching";
import { CappedReader, declaredOver } from "./body-cap";
import type { ApiConfig } from "./config";
import { appRouter } from "./root";
import { courseScope } from "./scope";
import { csrfViolation, HSTS, isHttps } from "./security";
import { sessionCookieOf } from "./session";
import { createContext } from "./trpc";

export { MAX_BATCH_CALLS };

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

/** A 400 in the same tRPC error shape, for requests refused before tRPC sees them. */
function badRequest(message: string): Response {
  return Response.json({ error: { json: { message, code: -32600, data: { code: "BAD_REQUEST", httpStatus: 400 } } } }, { status: 400 });
}

/** The procedures a tRPC request names (`a.b,c.d` for a batch). */
export function proceduresOf(req: Request): string[] {
  return decodeURIComponent(new URL(req.url).pathname.replace(/^.*\/api\/trpc\//, "")).split(",");
}

/** Why a request's batch is refused, or null. */
export function batchViolation(paths: readonly string[]): string | null {
  if (paths.length > MAX_BATCH_CALLS) return `A request may call at most ${MAX_BATCH_CALLS} procedures, got ${paths.length}.`;
  const alone = paths.length > 1 ? paths.find((p) => UNBATCHABLE.has(p)) : undefined;
  return alone ? `${alone} must be called on its own, not in a batch of ${paths.length}.` : null;
}

/**
 * The body cap of one request: the general cap, and the dataset-upload cap when it calls
 * `courseDataset.upload` alone (a batch naming it with anything else keeps the general cap, so the
 * upload cannot carry others). The upload cap is granted only once the caller is known to teach the
 * course (`uploadAllowed`).
 */
export function bodyLimitOf(
  req: Request,
  options: Pick<HttpOptions, "maxRequestBytes" | "config">,
): { limit: number; what: string; upload: number | null } {
  const upload = options.config.maxDatasetUploadBytes;
  const isUpload = upload !== undefined && upload > options.maxRequestBytes && proceduresOf(req).every((p) => p === DATASET_UPLOAD);
  return { limit: options.maxRequestBytes, what: "Request bodies are", upload: isUpload ? upload : null };
}

const UPLOAD_WHAT = "Dataset uploads (the CSV as sent, JSON-escaped) are";

/**
 * Whether the caller of an upload teaches the course it names. Only the bytes read so far are there
 * (the general cap's worth); the client sends `courseId` first. The procedure checks again on the
 * parsed input, so this only decides how many bytes are worth reading.
 */
async function uploadAllowed(req: Request, prefix: Uint8Array, options: HttpOptions): Promise<boolean> {
  const courseId = /"courseId"\s*:\s*"([^"\\]{1,200})"/.exec(new TextDecoder().decode(prefix))?.[1];
  if (!courseId) return false;
  const ctx = await createContext({
    db: await options.db(),
    config: options.config,
    now: options.now,
    sessionCookie: sessionCookieOf(req.headers.get("cookie")),
  });
  if (!ctx.user) return false;
  // The course rule of `courseProcedure.instructor`, applied early; the procedure applies it again.
  return courseScope({ db: ctx.db, user: ctx.user }, courseId, "instructor").then(
    () => true,
    () => false,
  );
}

/**
 * Reads the body while counting, before anyone is authenticated: at most the general cap, and the
 * upload cap only for an upload whose caller teaches the course. Past the cap the stream is
 * cancelled, so a chunked body of any size costs at most the cap in memory.
 */
async function capped(req: Request, options: HttpOptions): Promise<Request | Response> {
  if (req.method !== "POST") return req;
  const { limit, what, upload } = bodyLimitOf(req, options);
  if (declaredOver(req, upload ?? limit)) return upload === null ? tooLarge(limit, what) : tooLarge(upload, UPLOAD_WHAT);
  const reader = new CappedReader(req.body);
  let read = await reader.readUpTo(limit);
  if (!read.ok && upload !== null && (await uploadAllowed(req, read.bytes, options))) {
    read = await reader.readUpTo(upload);
    if (!read.ok) {
      await reader.cancel();
      return tooLarge(upload, UPLOAD_WHAT);
    }
  }
  if (!read.ok) {
    await reader.cancel();
    return tooLarge(limit, what);
  }
  return new Request(req.url, { method: req.method, headers: req.headers, body: read.bytes, signal: req.signal });
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
  const hops = (req.headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((hop) => hop.trim())
    .filter((hop) => hop.length > 0);
  const entry = hops.at(-trustedProxies);
  if (entry === undefined) return null;
  const ip = entry.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, "");
  return isIP(ip) === 0 ? null : ip.toLowerCase();
}

/**
 * API responses carry grades, e-mails and sessions: never stored by any cache. Over HTTPS they also
 * carry HSTS (pages get it from `proxy.ts`).
 */
function finished(response: Response, https: boolean): Response {
  response.headers.set("Cache-Control", "no-store");
  if (https) response.headers.set(HSTS.key, HSTS.value);
  return response;
}

export async function handleTrpcRequest(incoming: Request, options: HttpOptions): Promise<Response> {
  return finished(await handle(incoming, options), isHttps(incoming, options.trustedProxies ?? 0));
}

async function handle(incoming: Request, options: HttpOptions): Promise<Response> {
  const csrf = csrfViolation(incoming, options.trustedProxies ?? 0);
  if (csrf) return Response.json({ error: { message: csrf.message, code: csrf.code } }, { status: 403 });
  const batch = batchViolation(proceduresOf(incoming));
  if (batch) return badRequest(batch);
  const req = await capped(incoming, options);
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
        secureCookies: isHttps(req, options.trustedProxies ?? 0),
        resHeaders,
        clientIp: clientIpOf(req, options.trustedProxies ?? 0),
      }),
    onError({ error, path }) {
      if (error.code === "INTERNAL_SERVER_ERROR") console.error(`tRPC ${path ?? "?"} failed:`, error.cause ?? error);
    },
  });
}
