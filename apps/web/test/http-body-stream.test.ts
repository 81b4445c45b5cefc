import { createCourse, enroll } from "@stepwise/db";
import { createTestUser } from "@stepwise/db/testing";
import superjson from "superjson";
import { describe, expect, it } from "vitest";
import type { ApiConfig } from "../src/server/config";
import { handleFolderImport } from "../src/server/folder-http";
import { handleTrpcRequest, MAX_BATCH_CALLS } from "../src/server/http";
import { MAX_ZIP_BYTES } from "../src/server/services/course-zip";
import { sessionCookieHeader, testConfig, useWorld } from "./helpers";

const GENERAL = 64 * 1024;
const UPLOAD = 1024 * 1024;
const CHUNK = 64 * 1024;
const MiB = 1024 * 1024;
const config: ApiConfig = { ...testConfig, maxDatasetUploadBytes: UPLOAD };

const w = useWorld();

const call = (req: Request) =>
  handleTrpcRequest(req, { db: () => Promise.resolve(w.db), config, maxRequestBytes: GENERAL, now: w.clock.now });

/**
 * A chunked body of `total` bytes made on demand (no Content-Length), starting with `prefix`; `pulled`
 * counts what the server actually read.
 */
function endlessBody(total: number, prefix = "") {
  const head = new TextEncoder().encode(prefix);
  const filler = new Uint8Array(CHUNK).fill(0x61);
  const counter = { pulled: 0 };
  let first = head.byteLength > 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (counter.pulled >= total) return controller.close();
      const chunk = first ? head : filler.slice();
      first = false;
      counter.pulled += chunk.byteLength;
      controller.enqueue(chunk);
    },
  });
  return { stream, counter };
}

function streamed(path: string, body: ReadableStream<Uint8Array>, headers: Record<string, string> = {}): Request {
  return new Request(`http://localhost/api/trpc/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
    duplex: "half",
  } as RequestInit);
}

describe("request bodies are capped while streaming", () => {
  // The anonymous chunked 200 MiB sign-in goes through a listening server: http-body-listening.test.ts.
  it.each([
    ["anonymous", null],
    ["a student of the course", "student"],
    ["an instructor of another course", "stranger"],
  ] as const)("gives %s the general cap on the upload path, not the upload cap", async (_who, caller) => {
    const stranger = await createTestUser(
      w.db,
      { email: "stranger@example.test", name: "Stranger", role: "instructor", password: "stranger-password" },
      w.clock.now(),
    );
    const elsewhere = await createCourse(w.db, { title: "Elsewhere" }, w.clock.now());
    await enroll(w.db, { courseId: elsewhere.id, userId: stranger.id, role: "instructor" }, w.clock.now());
    const user = caller === "student" ? w.student : caller === "stranger" ? stranger : null;
    const headers: Record<string, string> = user ? { cookie: await sessionCookieHeader(await w.tokenFor(user), config) } : {};
    const { stream, counter } = endlessBody(200 * MiB, `{"json":{"courseId":"${w.courseId}","file":"x.csv","csv":"`);
    const res = await call(streamed("courseDataset.upload", stream, headers));
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { json: { message: string } } }).error.json.message).toBe(
      "Request bodies are limited to 64 KB.",
    );
    expect(counter.pulled).toBeLessThanOrEqual(GENERAL + 2 * CHUNK);
  });

  it("reads up to the upload cap for an instructor of the course, and no further", async () => {
    const cookie = await sessionCookieHeader(await w.tokenFor(w.instructor), config);
    const { stream, counter } = endlessBody(200 * MiB, `{"json":{"courseId":"${w.courseId}","file":"x.csv","csv":"`);
    const res = await call(streamed("courseDataset.upload", stream, { cookie }));
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { json: { message: string } } }).error.json.message).toBe(
      "Dataset uploads (the CSV as sent, JSON-escaped) are limited to 1 MB.",
    );
    expect(counter.pulled).toBeGreaterThan(GENERAL);
    expect(counter.pulled).toBeLessThanOrEqual(UPLOAD + 2 * CHUNK);
  });

  it("passes a chunked body under the cap through to the procedure", async () => {
    const body = new TextEncoder().encode(
      JSON.stringify(superjson.serialize({ email: "student@example.test", password: "student-password" })),
    );
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(body.slice(0, 10));
        controller.enqueue(body.slice(10));
        controller.close();
      },
    });
    expect((await call(streamed("auth.signIn", stream))).status).toBe(200);
  });

  it("cuts a chunked course-folder zip off at its cap", async () => {
    const cookie = await sessionCookieHeader(await w.tokenFor(w.instructor), config);
    const { stream, counter } = endlessBody(200 * MiB);
    const req = new Request("http://localhost/api/teach/folder", {
      method: "POST",
      headers: { "content-type": "application/zip", cookie },
      body: stream,
      duplex: "half",
    } as RequestInit);
    const res = await handleFolderImport(req, { db: w.db, config, now: w.clock.now });
    expect(res.status).toBe(413);
    expect(counter.pulled).toBeLessThanOrEqual(MAX_ZIP_BYTES + 2 * CHUNK);
  });

  it("refuses an anonymous chunked course-folder zip before reading it", async () => {
    const { stream, counter } = endlessBody(200 * MiB);
    const req = new Request("http://localhost/api/teach/folder", {
      method: "POST",
      headers: { "content-type": "application/zip" },
      body: stream,
      duplex: "half",
    } as RequestInit);
    const res = await handleFolderImport(req, { db: w.db, config, now: w.clock.now });
    expect(res.status).toBe(401);
    expect(counter.pulled).toBeLessThanOrEqual(2 * CHUNK);
  });
});

describe("tRPC batches", () => {
  const batch = (paths: string[], inputs: unknown[]) =>
    new Request(`http://localhost/api/trpc/${paths.join(",")}?batch=1`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(Object.fromEntries(inputs.map((input, i) => [i, superjson.serialize(input)]))),
    });
  const messageOf = async (res: Response) => ((await res.json()) as { error: { json: { message: string } } }).error.json.message;

  it("refuses a request batching 40 sign-ins before hashing any password", async () => {
    const paths = Array.from({ length: 40 }, () => "auth.signIn");
    const res = await call(
      batch(
        paths,
        paths.map(() => ({ email: "student@example.test", password: "wrong-password" })),
      ),
    );
    expect(res.status).toBe(400);
    expect(await messageOf(res)).toBe(`A request may call at most ${MAX_BATCH_CALLS} procedures, got 40.`);
  });

  it.each(["auth.signIn", "auth.signUp"])("refuses %s in a batch of two", async (path) => {
    const res = await call(batch([path, "auth.me"], [{ email: "student@example.test", password: "student-password" }, undefined]));
    expect(res.status).toBe(400);
    expect(await messageOf(res)).toBe(`${path} must be called on its own, not in a batch of 2.`);
  });

  it("answers a batch of the largest allowed size, and refuses one call more", async () => {
    const get = (n: number) =>
      new Request(
        `http://localhost/api/trpc/${Array.from({ length: n }, () => "auth.me").join(",")}?batch=1&input=${encodeURIComponent("{}")}`,
      );
    expect((await call(get(MAX_BATCH_CALLS))).status).toBe(200);
    expect((await call(get(MAX_BATCH_CALLS + 1))).status).toBe(400);
  });
});
