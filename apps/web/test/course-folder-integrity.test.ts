import { demoCourseDir } from "@stepwise/exercises/course";
import { createTestUser } from "@stepwise/db/testing";
import { strToU8, zipSync } from "fflate";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { handleFolderImport } from "../src/server/folder-http";
import { MAX_YAML_ALIASES } from "../src/server/services/course-folder";
import { readTree, sessionCookieHeader, testConfig, world, type World } from "./helpers";

let w: World;
beforeEach(async () => {
  w = await world();
  await createTestUser(
    w.db,
    { email: "instructor@stepwise.test", name: "Ada", role: "instructor", password: "stepwise-instructor" },
    w.clock.now(),
  );
});
afterEach(async () => {
  await w.cleanup();
});

const demo = () => readTree(demoCourseDir);

const zipOf = (files: Record<string, string>) =>
  zipSync(Object.fromEntries(Object.entries(files).map(([path, text]) => [path, [strToU8(text), { level: 0 }]])));
const countCourses = async () => (await w.db.kysely.selectFrom("courses").select("id").execute()).length;

/** Nine levels of nine aliases each: a few hundred bytes that expand to 9⁹ nodes. */
function aliasBomb(): string {
  const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  const names = "abcdefghi";
  for (let i = 1; i < names.length; i++) {
    const prev = names[i - 1] ?? "a";
    lines.push(`${names[i] ?? ""}: &${names[i] ?? ""} [${Array.from({ length: 9 }, () => `*${prev}`).join(",")}]`);
  }
  return `${lines.join("\n")}\n`;
}

async function imported(zip: Uint8Array): Promise<Response> {
  const cookie = await sessionCookieHeader(await w.tokenFor(w.instructor), testConfig);
  const req = new Request("http://localhost/api/teach/folder", {
    method: "POST",
    headers: { "content-type": "application/zip", cookie },
    body: new Uint8Array(zip),
  });
  return handleFolderImport(req, { db: w.db, config: testConfig, now: w.clock.now });
}

describe("course folder integrity", () => {
  it.each([
    [
      "course.yaml",
      (files: Record<string, string>) => ({
        ...files,
        "course.yaml": `${files["course.yaml"] ?? ""}\nbomb:\n${aliasBomb().replace(/^/gm, "  ")}`,
      }),
    ],
    ["an assignment file", (files: Record<string, string>) => ({ ...files, "assignments/50-bomb.yaml": aliasBomb() })],
  ])("answers a YAML alias bomb in %s with a 400 that says what is wrong, and creates nothing", async (_where, mutate) => {
    const before = await countCourses();
    const res = await imported(zipOf(mutate(demo())));
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { message: string; code: string } };
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.message).toMatch(
      new RegExp(`\\.yaml — expected YAML whose aliases \\(\\*name\\) expand to at most ${MAX_YAML_ALIASES} nodes, got more`),
    );
    expect(await countCourses()).toBe(before);
  });

  it("refuses a zip whose entry does not match its recorded checksum", async () => {
    const files = demo();
    const zip = zipOf(files);
    // Stored (level 0) entries hold the text as is: change one byte of course.yaml's title in place.
    const title = Buffer.from(zip).indexOf("title:");
    expect(title).toBeGreaterThan(0);
    zip[title + 8] = (zip[title + 8] ?? 0) ^ 0x01;
    const before = await countCourses();
    const res = await imported(zip);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(
      /course\.yaml — expected contents matching the zip.s checksum, got different bytes/i,
    );
    expect(await countCourses()).toBe(before);
  });

  it("still imports the intact demo folder", async () => {
    const res = await imported(zipOf(demo()));
    expect(res.status).toBe(200);
  });
});
