import { loadMnistImages, loadMnistLabels, MNIST_IMAGE_SIZE } from "@stepwise/core/datasets/node";
import { createAssignment } from "@stepwise/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodePreview } from "../src/lib/preview-format";
import { PREVIEW_COUNTS } from "../src/server/datasets";
import { handlePreviewRequest } from "../src/server/preview-http";
import { sessionCookieHeader, testConfig, world, type World } from "./helpers";

let w: World;
let imdbAssignmentId: string;
beforeAll(async () => {
  w = await world();
  imdbAssignmentId = (
    await createAssignment(
      w.db,
      {
        courseId: w.courseId,
        exerciseId: "imdb-beat-baseline",
        title: "IMDB",
        overrides: {},
        deadline: null,
        attemptsAllowed: null,
        position: 5,
      },
      w.clock.now(),
    )
  ).id;
});
afterAll(async () => {
  await w.cleanup();
});

const preview = async (assignmentId: string, cookie?: string) =>
  handlePreviewRequest(new Request(`http://localhost/api/preview-data/${assignmentId}`, { headers: cookie ? { cookie } : {} }), {
    db: w.db,
    config: testConfig,
    assignmentId,
    now: w.clock.now,
  });

describe("dataset.byAssignment", () => {
  it("gives MNIST facts from core and a dozen training digits with their labels", async () => {
    const view = await (await w.as(w.student)).dataset.byAssignment({ assignmentId: w.assignment.id });
    if (view.kind !== "mnist") throw new Error(`expected MNIST, got ${view.kind}`);
    expect(view.facts).toMatchObject({ trainSize: 60_000, testSize: 10_000, numClasses: 10, naturalShape: [28, 28, 1] });
    expect(view.facts.classBalance?.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    const labels = loadMnistLabels("train");
    expect(view.digits.map((d) => d.label)).toEqual(Array.from(labels.slice(0, 12)));
    expect(Buffer.from(view.digits[0]?.pixels ?? "", "base64")).toEqual(
      Buffer.from(loadMnistImages("train").subarray(0, MNIST_IMAGE_SIZE)),
    );
  });

  it("gives IMDB facts and reviews as plain text with labels", async () => {
    const view = await (await w.as(w.student)).dataset.byAssignment({ assignmentId: imdbAssignmentId });
    if (view.kind !== "imdb") throw new Error(`expected IMDB, got ${view.kind}`);
    expect(view.facts).toMatchObject({ task: "binary", trainSize: expect.any(Number) as unknown });
    expect(view.reviews).toHaveLength(4);
    for (const r of view.reviews) {
      expect([0, 1]).toContain(r.label);
      expect(r.text).not.toMatch(/<br/);
    }
  });

  it("is only for members of the course", async () => {
    await expect((await w.as(w.outsider)).dataset.byAssignment({ assignmentId: w.assignment.id })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
  });
});

describe("GET /api/preview-data/:assignmentId", () => {
  it.each([
    ["no session", null, 401],
    ["a student of another course", "outsider", 403],
  ] as const)("refuses %s", async (_case, who, status) => {
    const cookie = who ? await sessionCookieHeader(await w.tokenFor(w.outsider)) : undefined;
    const res = await preview(w.assignment.id, cookie);
    expect(res.status).toBe(status);
  });

  it("serves the first MNIST training examples, byte for byte, and nothing of the test split", async () => {
    const res = await preview(w.assignment.id, await sessionCookieHeader(await w.tokenFor(w.student)));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/octet-stream");
    const data = decodePreview(await res.arrayBuffer());
    const n = PREVIEW_COUNTS.mnist;
    expect(data.header).toMatchObject({ dataset: "mnist", n, naturalShape: [28, 28, 1] });
    expect(Buffer.from(data.arrays.labels ?? [])).toEqual(Buffer.from(loadMnistLabels("train").subarray(0, n)));
    expect(Buffer.from(data.arrays.pixels ?? []).equals(Buffer.from(loadMnistImages("train").subarray(0, n * MNIST_IMAGE_SIZE)))).toBe(
      true,
    );
    expect(
      Buffer.from(data.arrays.pixels ?? [])
        .subarray(0, MNIST_IMAGE_SIZE)
        .equals(Buffer.from(loadMnistImages("test").subarray(0, MNIST_IMAGE_SIZE))),
    ).toBe(false);
  });

  it("serves IMDB training reviews as token-id lists with labels", async () => {
    const res = await preview(imdbAssignmentId, await sessionCookieHeader(await w.tokenFor(w.student)));
    const data = decodePreview(await res.arrayBuffer());
    const { offsets, ids, labels } = data.arrays;
    expect(data.header).toMatchObject({ dataset: "imdb", n: PREVIEW_COUNTS.imdb, vocabularySize: 10_000 });
    expect(offsets?.length).toBe(PREVIEW_COUNTS.imdb + 1);
    expect(ids?.length).toBe(offsets?.[PREVIEW_COUNTS.imdb]);
    expect(Array.from(ids ?? []).reduce((a, b) => Math.max(a, b), 0)).toBeLessThan(10_002);
    const positives = Array.from(labels ?? []).filter((l) => l === 1).length;
    expect(positives / PREVIEW_COUNTS.imdb).toBeGreaterThan(0.4);
    expect(positives / PREVIEW_COUNTS.imdb).toBeLessThan(0.6);
  });
});
