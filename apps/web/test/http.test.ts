import superjson from "superjson";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { handleTrpcRequest } from "../src/server/http";
import { testConfig, validPayload, world, type World } from "./helpers";

let w: World;
beforeEach(async () => {
  w = await world();
});
afterEach(async () => {
  await w.cleanup();
});

const LIMIT = 64 * 1024;
const call = (req: Request) => handleTrpcRequest(req, { db: () => Promise.resolve(w.db), config: testConfig, maxRequestBytes: LIMIT, now: w.clock.now });
const url = (path: string) => `http://localhost/api/trpc/${path}`;

function get(path: string, input: unknown, cookie?: string): Request {
  return new Request(`${url(path)}?input=${encodeURIComponent(JSON.stringify(superjson.serialize(input)))}`, { headers: cookie ? { cookie } : {} });
}

function post(path: string, input: unknown, cookie?: string): Request {
  return new Request(url(path), {
    method: "POST",
    headers: { "content-type": "application/json", ...(cookie ? { cookie } : {}) },
    body: JSON.stringify(superjson.serialize(input)),
  });
}

describe("the HTTP endpoint", () => {
  it("signs in over HTTP: the Set-Cookie header is httpOnly and SameSite=Lax, and the cookie authenticates later calls", async () => {
    const res = await call(post("auth.signIn", { email: "student@example.test", password: "student-password" }));
    expect(res.status).toBe(200);
    const setCookie = res.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(/^stepwise_session=[^;]+; Path=\/; HttpOnly; SameSite=Lax/);
    const me = await call(get("auth.me", undefined, setCookie.split(";")[0]));
    const body = (await me.json()) as { result: { data: { json: { id: string } } } };
    expect(body.result.data.json.id).toBe(w.student.id);
  });

  it("answers a domain error with its code and message, and no stack or file path", async () => {
    const token = await w.tokenFor(w.outsider);
    const res = await call(get("course.byId", { courseId: w.courseId }, `stepwise_session=${token}`));
    expect(res.status).toBe(403);
    const text = await res.text();
    const body = JSON.parse(text) as { error: { json: { message: string; data: Record<string, unknown> } } };
    expect(body.error.json.message).toBe("You are not enrolled in this course.");
    expect(body.error.json.data.code).toBe("FORBIDDEN");
    expect(body.error.json.data).not.toHaveProperty("stack");
    expect(text).not.toMatch(/\/work\/|node_modules|\.ts:\d+/);
  });

  it("refuses bodies over the cap with 413 before parsing them", async () => {
    const token = await w.tokenFor(w.student);
    const huge = { assignmentId: w.assignment.id, payload: { ...validPayload(), answers: { pad: "x".repeat(LIMIT) } } };
    const res = await call(post("submission.create", huge, `stepwise_session=${token}`));
    expect(res.status).toBe(413);
  });

  it("streams submission.watch as server-sent events", async () => {
    const caller = await w.as(w.student);
    const { submissionId } = await caller.submission.create({ assignmentId: w.assignment.id, payload: validPayload() });
    const token = await w.tokenFor(w.student);
    const controller = new AbortController();
    const req = get("submission.watch", { submissionId }, `stepwise_session=${token}`);
    const res = await call(new Request(req, { signal: controller.signal }));
    expect(res.headers.get("content-type")).toMatch(/text\/event-stream/);
    const reader = res.body?.getReader();
    if (!reader) throw new Error("no body");
    let text = "";
    while (!text.includes('"queued"')) {
      const chunk = await reader.read();
      if (chunk.done) break;
      text += new TextDecoder().decode(chunk.value);
    }
    controller.abort();
    await reader.cancel().catch(() => undefined);
    expect(text).toMatch(/"status":"queued","queuePosition":0/);
  });
});
