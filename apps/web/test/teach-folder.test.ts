import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assignmentsForCourse, courseDataFiles, courseMembers, type User } from "@stepwise/db";
import { createTestUser } from "@stepwise/db/testing";
import { demoCourseDir, loadCourseFolder, writeCourseFolder } from "@stepwise/exercises/course";
import { strFromU8, strToU8, unzipSync, zipSync } from "fflate";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { handleFolderExport, handleFolderImport } from "../src/server/folder-http";
import { MAX_ZIP_BYTES } from "../src/server/services/course-zip";
import { readTree, sessionCookieHeader, testConfig, world, type World } from "./helpers";

let w: World;
let demoInstructor: User;
beforeEach(async () => {
  w = await world();
  demoInstructor = await createTestUser(
    w.db,
    { email: "instructor@stepwise.test", name: "Ada", role: "instructor", password: "stepwise-instructor" },
    w.clock.now(),
  );
});
afterEach(async () => {
  await w.cleanup();
});

/** What `writeCourseFolder(loadCourseFolder(dir))` makes of a folder: the normalized form. */
function normalized(dir: string): Record<string, string> {
  const out = mkdtempSync(join(tmpdir(), "stepwise-normal-"));
  try {
    writeCourseFolder(loadCourseFolder(dir), out);
    return readTree(out);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const zipOf = (files: Record<string, string>) =>
  zipSync(Object.fromEntries(Object.entries(files).map(([path, text]) => [path, strToU8(text)])));
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");

/** The files of an exported zip, without its top folder. */
function unzipExport(base64: string): { top: string[]; files: Record<string, string> } {
  const entries = unzipSync(new Uint8Array(Buffer.from(base64, "base64")));
  const top = [...new Set(Object.keys(entries).map((p) => p.split("/")[0] ?? ""))];
  return { top, files: Object.fromEntries(Object.entries(entries).map(([p, data]) => [p.slice(p.indexOf("/") + 1), strFromU8(data)])) };
}

describe("course folder round trip", () => {
  it("imports the demo course folder and exports it back byte-identical (to the files and to their normalized form)", async () => {
    const demo = readTree(demoCourseDir);
    expect(normalized(demoCourseDir)).toEqual(demo);
    const caller = await w.as(demoInstructor);
    // Zipped with its folder name, as `zip -r demo.zip demo/` does.
    const zip = zipOf(Object.fromEntries(Object.entries(demo).map(([p, t]) => [`demo/${p}`, t])));
    const { course, warnings } = await caller.folder.import({ zipBase64: b64(zip) });
    expect(warnings).toEqual([]);
    expect(course).toMatchObject({
      title: "Deep learning workflow (demo)",
      settings: { defaultAttempts: 10, latePenalty: { perDay: 0.1, maxDaysLate: 3 } },
    });
    const demoAssignments = Object.keys(demo).filter((p) => p.startsWith("assignments/")).length;
    expect(demoAssignments).toBeGreaterThan(10);
    expect((await assignmentsForCourse(w.db, course.id)).map((a) => a.position)).toEqual(
      Array.from({ length: demoAssignments }, (_, i) => i + 1),
    );

    const first = await caller.folder.export({ courseId: course.id });
    expect(first.fileName).toBe("deep-learning-workflow-demo.zip");
    const exported = unzipExport(first.zipBase64);
    expect(exported.top).toEqual(["deep-learning-workflow-demo"]);
    expect(exported.files).toEqual(demo);
    // Exporting again gives the same bytes (fixed timestamps, sorted entries).
    expect((await caller.folder.export({ courseId: course.id })).zipBase64).toBe(first.zipBase64);
  });

  it("keeps titles, deadlines, late penalties, datasets (used or not) and listed instructors through import → export", async () => {
    const co = await createTestUser(
      w.db,
      { email: "co@example.test", name: "Co", role: "instructor", password: "co-password" },
      w.clock.now(),
    );
    const credit =
      readFileSync(new URL("../../../packages/exercises/data/credit-default.csv", import.meta.url), "utf8")
        .split("\n")
        .slice(0, 41)
        .join("\n") + "\n";
    const folder = {
      "course.yaml":
        "title: Loans\ninstructors:\n  - co@example.test\n  - teacher@example.test\n  - ghost@example.test\n  - student@example.test\nsettings:\n  defaultAttempts: 4\n",
      "assignments/01-metric.yaml":
        "exercise: credit-choose-metric\ntitle: Which metric for loans?\ndataset:\n  kind: csv\n  file: data/loans.csv\n  target: default\n  task: binary\nattempts: 2\ndeadline: 2026-03-01T23:59:00+01:00\nlatePenalty:\n  perDay: 0.2\n  maxDaysLate: 2\n",
      "assignments/02-baseline.yaml":
        "exercise: mnist-beat-baseline\nbudgets:\n  maxEpochs: 3\nseeds: 2\nvisibility:\n  claim-reproduced: never\n  beats-baseline: after_deadline\nhints:\n  - Start small.\n",
      "data/loans.csv": credit,
      "data/spare.csv": "a,b\n1,2\n",
      "README.md": "not part of a course",
    };
    const caller = await w.as(w.instructor);
    const { course, warnings } = await caller.folder.import({ zipBase64: b64(zipOf(folder)) });
    expect(warnings).toEqual([
      "ghost@example.test is listed as an instructor but has no account; add them from the course page once they sign up.",
      "student@example.test is listed as an instructor but has a student account; they were not added.",
    ]);
    expect((await courseMembers(w.db, course.id)).instructors.map((m) => m.userId)).toEqual([co.id, w.instructor.id]);
    expect((await courseDataFiles(w.db, course.id)).map((d) => [d.file, d.rows, d.columns.length])).toEqual([
      ["data/loans.csv", 40, 10],
      ["data/spare.csv", 1, 2],
    ]);
    const [metric, baseline] = await assignmentsForCourse(w.db, course.id);
    expect(metric).toMatchObject({ title: "Which metric for loans?", attemptsAllowed: 2, deadline: Date.UTC(2026, 2, 1, 22, 59) });
    expect(baseline).toMatchObject({ attemptsAllowed: 4, overrides: { budgets: { maxEpochs: 3 }, seeds: 2 } });

    const { files } = unzipExport((await caller.folder.export({ courseId: course.id })).zipBase64);
    expect(Object.keys(files).sort()).toEqual([
      "assignments/01-credit-choose-metric.yaml",
      "assignments/02-mnist-beat-baseline.yaml",
      "course.yaml",
      "data/loans.csv",
      "data/spare.csv",
    ]);
    // A folder without a mode imports as a guided course, and the export says so.
    expect(files["course.yaml"]).toBe(
      "title: Loans\ninstructors:\n  - co@example.test\n  - teacher@example.test\nsettings:\n  defaultAttempts: 4\n  mode: guided\n",
    );
    expect(files["assignments/01-credit-choose-metric.yaml"]).toBe(
      "exercise: credit-choose-metric\ntitle: Which metric for loans?\ndataset:\n  kind: csv\n  file: data/loans.csv\n  target: default\n  task: binary\nattempts: 2\ndeadline: 2026-03-01T22:59:00Z\nlatePenalty:\n  perDay: 0.2\n  maxDaysLate: 2\n",
    );
    // Normalized: schema key order, visibility sorted by check id, attempts resolved from the course default.
    expect(files["assignments/02-mnist-beat-baseline.yaml"]).toBe(
      "exercise: mnist-beat-baseline\nbudgets:\n  maxEpochs: 3\nseeds: 2\nattempts: 4\nvisibility:\n  beats-baseline: after_deadline\n  claim-reproduced: never\nhints:\n  - Start small.\n",
    );
    expect(files["data/loans.csv"]).toBe(credit);

    // A second round trip changes nothing at all.
    const again = await caller.folder.import({ zipBase64: b64(zipOf(files)) });
    expect(unzipExport((await caller.folder.export({ courseId: again.course.id })).zipBase64).files).toEqual(files);
  });
});

describe("course folder import refuses bad archives with clear errors and creates nothing", () => {
  const demo = () => readTree(demoCourseDir);
  const countCourses = async () => (await w.db.kysely.selectFrom("courses").select("id").execute()).length;

  it.each([
    [
      "an assignment with a misspelt key",
      () => ({ ...demo(), "assignments/99-typo.yaml": "exercise: mnist-beat-baseline\nbudgets:\n  maxEpoch: 3\n" }),
      /assignments\/99-typo\.yaml:3 budgets\.maxEpoch — expected one of the keys `maxParams`, `maxEpochs`, `maxBatchSize`, `maxSeconds`, got an unknown key `maxEpoch` \(did you mean `maxEpochs`\?\)/,
    ],
    [
      "an unknown exercise",
      () => ({ ...demo(), "assignments/98-x.yaml": "exercise: mnist-step-99\n" }),
      /assignments\/98-x\.yaml:1 exercise — expected a built-in exercise id/,
    ],
    [
      "a course.yaml without settings",
      () => ({ ...demo(), "course.yaml": "title: T\ninstructors: [a@b.test]\n" }),
      /course\.yaml(:\d+)? settings — expected a mapping \(key: value lines\), got nothing \(the key is missing\)/,
    ],
    [
      "a path escaping the folder",
      () => ({ ...demo(), "../evil.yaml": "x: 1" }),
      /zip entry "\.\.\/evil\.yaml" — expected a relative path inside the course folder, got a path with "\." or "\.\." segments/,
    ],
    [
      "an absolute path",
      () => ({ ...demo(), "/etc/cron.d/evil": "x" }),
      /zip entry "\/etc\/cron\.d\/evil" — expected a relative path inside the course folder, got an absolute path/,
    ],
    ["a backslash path", () => ({ ...demo(), "assignments\\..\\..\\evil.yaml": "x" }), /got a backslash/],
  ])("%s", async (_case, files, message) => {
    const before = await countCourses();
    const caller = await w.as(w.instructor);
    await expect(caller.folder.import({ zipBase64: b64(zipOf(files())) })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(message) as unknown,
    });
    expect(await countCourses()).toBe(before);
  });

  it("refuses a file that is not a zip, and a zip over 10 MB", async () => {
    const caller = await w.as(w.instructor);
    await expect(caller.folder.import({ zipBase64: b64(strToU8("title: not a zip")) })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/Expected a zip archive of a course folder/) as unknown,
    });
    const big = new Uint8Array(MAX_ZIP_BYTES + 1);
    await expect(caller.folder.import({ zipBase64: b64(big) })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/at most 10 MB \(10485760 bytes\), got 10485761 bytes/) as unknown,
    });
  });

  it("refuses a zip bomb by its declared unzipped size before inflating it", async () => {
    const caller = await w.as(w.instructor);
    const zeros = new Uint8Array(61 * 1024 * 1024);
    const bomb = zipSync({ "course.yaml": [zeros, { level: 9 }] });
    expect(bomb.byteLength).toBeLessThan(MAX_ZIP_BYTES);
    await expect(caller.folder.import({ zipBase64: b64(bomb) })).rejects.toMatchObject({
      message: expect.stringMatching(/at most 60 MB unzipped/) as unknown,
    });
  });
});

describe("folder routes", () => {
  const options = () => ({ db: w.db, config: testConfig, now: w.clock.now });
  const cookie = async (user: User) => sessionCookieHeader(await w.tokenFor(user));

  it("GET /api/teach/:courseId/folder serves the zip to the course's instructors only", async () => {
    const req = async (user: User | null) =>
      handleFolderExport(
        new Request(`http://localhost/api/teach/${w.courseId}/folder`, { headers: user ? { cookie: await cookie(user) } : {} }),
        { ...options(), courseId: w.courseId },
      );
    const ok = await req(w.instructor);
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toBe("application/zip");
    expect(ok.headers.get("content-disposition")).toBe('attachment; filename="test-course.zip"');
    const files = unzipSync(new Uint8Array(await ok.arrayBuffer()));
    expect(strFromU8(files["test-course/course.yaml"] ?? new Uint8Array())).toBe(
      "title: Test course\ninstructors:\n  - teacher@example.test\nsettings:\n  defaultAttempts: 10\n  mode: independent\n",
    );
    expect(Object.keys(files)).toContain("test-course/assignments/05-mnist-beat-baseline.yaml");
    expect((await req(w.student)).status).toBe(403);
    expect((await req(null)).status).toBe(401);
  });

  it("POST /api/teach/folder imports a zip body for instructors, behind the CSRF rules", async () => {
    const zip = zipOf(readTree(demoCourseDir));
    const post = async (headers: Record<string, string>, user: User | null = demoInstructor) =>
      handleFolderImport(
        new Request("http://localhost/api/teach/folder", {
          method: "POST",
          headers: { ...headers, ...(user ? { cookie: await cookie(user) } : {}) },
          body: zip,
        }),
        options(),
      );
    const code = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;
    const form = await post({ "content-type": "multipart/form-data; boundary=x" });
    expect([form.status, await code(form)]).toEqual([403, "CSRF_CONTENT_TYPE"]);
    const foreign = await post({ "content-type": "application/zip", origin: "https://evil.example" });
    expect([foreign.status, await code(foreign)]).toEqual([403, "CSRF_CROSS_SITE"]);
    const crossSite = await post({ "content-type": "application/zip", "sec-fetch-site": "cross-site" });
    expect([crossSite.status, await code(crossSite)]).toEqual([403, "CSRF_CROSS_SITE"]);
    expect((await post({ "content-type": "application/zip" }, w.student)).status).toBe(403);
    expect((await post({ "content-type": "application/zip" }, null)).status).toBe(401);
    const declaredHuge = await post({ "content-type": "application/zip", "content-length": String(MAX_ZIP_BYTES + 1) });
    expect(declaredHuge.status).toBe(413);

    const ok = await post({ "content-type": "application/zip", origin: "http://localhost", "sec-fetch-site": "same-origin" });
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as { courseId: string; title: string; warnings: string[] };
    expect(body).toMatchObject({ title: "Deep learning workflow (demo)", warnings: [] });
    expect(await assignmentsForCourse(w.db, body.courseId)).toHaveLength(
      Object.keys(readTree(demoCourseDir)).filter((p) => p.startsWith("assignments/")).length,
    );
  });
});
