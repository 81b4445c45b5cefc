import { readFileSync } from "node:fs";
import { join } from "node:path";
import { datasetsForCourse } from "@stepwise/db";
import { builtInDataDir } from "@stepwise/exercises/answers";
import { createTRPCClient, httpBatchLink, TRPCClientError } from "@trpc/client";
import superjson from "superjson";
import { describe, expect, it } from "vitest";
import type { ApiConfig } from "../src/server/config";
import { handleTrpcRequest } from "../src/server/http";
import type { AppRouter } from "../src/server/root";
import { sessionCookieHeader, testConfig, useWorld, validPayload } from "./helpers";

// Small caps keep the test fast; the production defaults are 512 KiB and 6 MiB.
const GENERAL = 64 * 1024;
const UPLOAD = 256 * 1024;
const config: ApiConfig = { ...testConfig, maxDatasetUploadBytes: UPLOAD };
const credit = readFileSync(join(builtInDataDir, "credit-default.csv"), "utf8"); // ~97 KB: over the general cap, under the upload cap
const houses = readFileSync(join(builtInDataDir, "house-prices.csv"), "utf8");
const rows = houses.split("\n").slice(1).join("\n");
const tooBig = `${houses}${rows}${rows}`; // ~380 KB: under the 5 MB dataset cap, over the 256 KiB upload cap

const w = useWorld();

const call = (req: Request) =>
  handleTrpcRequest(req, { db: () => Promise.resolve(w.db), config, maxRequestBytes: GENERAL, now: w.clock.now });

const cookie = async () => sessionCookieHeader(await w.tokenFor(w.instructor), config);

/** The browser's tRPC client (batch link, superjson), with fetch going straight to the handler. */
async function client() {
  const header = await cookie();
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: "http://localhost/api/trpc",
        transformer: superjson,
        headers: { cookie: header },
        fetch: (url, init) => call(new Request(url, init as RequestInit)),
      }),
    ],
  });
}

async function errorOf(promise: Promise<unknown>): Promise<TRPCClientError<AppRouter>> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TRPCClientError) return error as TRPCClientError<AppRouter>;
    throw error;
  }
  throw new Error("expected the call to fail");
}

describe("request body caps", () => {
  it("accepts a dataset upload above the general cap and stores it", async () => {
    expect(credit.length).toBeGreaterThan(GENERAL);
    const result = await (await client()).courseDataset.upload.mutate({ courseId: w.courseId, file: "loans.csv", csv: credit });
    expect(result.dataset.rows).toBe(2_000);
    expect((await datasetsForCourse(w.db, w.courseId)).map((d) => d.file)).toEqual(["loans.csv"]);
  });

  it("refuses an upload over the upload cap with a 413 the client shows as a message naming the limit", async () => {
    const error = await errorOf((await client()).courseDataset.upload.mutate({ courseId: w.courseId, file: "big.csv", csv: tooBig }));
    expect(error.message).toBe("Dataset uploads (the CSV as sent, JSON-escaped) are limited to 256 KB.");
    expect(error.data?.httpStatus).toBe(413);
    expect(await datasetsForCourse(w.db, w.courseId)).toEqual([]);
  });

  it("keeps the general cap for every other procedure, and for a batch that pairs the upload with another call", async () => {
    const pad = "x".repeat(GENERAL);
    const error = await errorOf(
      (await client()).submission.create.mutate({ assignmentId: w.assignment.id, payload: { ...validPayload(), answers: { pad } } }),
    );
    expect(error.message).toBe("Request bodies are limited to 64 KB.");

    const body = JSON.stringify({
      0: superjson.serialize({ courseId: w.courseId, file: "loans.csv", csv: credit }),
      1: superjson.serialize({ courseId: w.courseId }),
    });
    const res = await call(
      new Request("http://localhost/api/trpc/courseDataset.upload,course.rotateJoinCode?batch=1", {
        method: "POST",
        headers: { "content-type": "application/json", cookie: await cookie() },
        body,
      }),
    );
    expect(res.status).toBe(413);
    expect(await datasetsForCourse(w.db, w.courseId)).toEqual([]);
  });

  it("applies the general cap to uploads when no upload cap is configured", async () => {
    const res = await handleTrpcRequest(
      new Request("http://localhost/api/trpc/courseDataset.upload", {
        method: "POST",
        headers: { "content-type": "application/json", cookie: await cookie() },
        body: JSON.stringify(superjson.serialize({ courseId: w.courseId, file: "loans.csv", csv: credit })),
      }),
      { db: () => Promise.resolve(w.db), config: testConfig, maxRequestBytes: GENERAL, now: w.clock.now },
    );
    expect(res.status).toBe(413);
  });
});
