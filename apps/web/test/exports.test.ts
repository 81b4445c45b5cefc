import { userBySessionToken, type User } from "@stepwise/db";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { authSecretOf } from "../src/server/auth";
import { handleGradescopeExport, handleGradesExport } from "../src/server/services/export-http";
import { canvasCsvRows, csvCell, gradescopeResults, gradesCsvRows, toCsv } from "../src/server/services/exports";
import { signSessionToken } from "../src/server/session";
import { DAY, gradeQueue, instructorWorld, submitAt, verdict, type InstructorWorld } from "./gradebook-helpers";
import { parseCsv } from "./gradebook-csv";
import { testConfig } from "./helpers";

describe("CSV cells", () => {
  it.each([
    ["plain text", "Ada Lovelace", "Ada Lovelace"],
    ["a comma", "Lovelace, Ada", '"Lovelace, Ada"'],
    ["quotes", 'Ada "the Countess"', '"Ada ""the Countess"""'],
    ["a line break", "two\nlines", '"two\nlines"'],
    ["a formula (=)", '=HYPERLINK("http://evil")', '"\'=HYPERLINK(""http://evil"")"'],
    ["a formula (+)", "+1+2", "'+1+2"],
    ["a formula (-)", "-2+3", "'-2+3"],
    ["a formula (@)", "@SUM(A1)", "'@SUM(A1)"],
    ["a leading tab", "\t=1", "'\t=1"],
    ["a number", 87.5, "87.5"],
    ["an empty cell", null, ""],
    ["accents", "Zoë Ørsted", "Zoë Ørsted"],
  ])("writes %s safely", (_case, value, expected) => {
    expect(csvCell(value)).toBe(expected);
  });

  it("reads back exactly what it wrote, tricky cells included", () => {
    const rows = [
      ["Name", "Email", "Step 1, the problem", "Total"],
      ['Zoë "Z" O\'Neil, Jr.', "z@example.test", 87.5, 187.5],
      ["two\r\nlines", "", null, 0],
    ];
    expect(parseCsv(toCsv(rows))).toEqual(rows.map((r) => r.map((c) => (c === null ? "" : String(c)))));
  });
});

describe("Gradescope results.json", () => {
  it("maps checks to tests with Gradescope's visibility names and applies the late factor to the score", () => {
    const results = gradescopeResults({
      verdict: verdict("passed", 1),
      lateness: { late: true, daysLate: 2, factor: 0.8, accepted: true },
      executionMs: 12_345,
    });
    expect(results).toEqual({
      score: 80,
      max_score: 100,
      execution_time: 12.35,
      output: "Test verdict (passed). Submitted 2 days late: score × 0.8.",
      visibility: "hidden",
      tests: [
        {
          name: "beats-baseline",
          score: 1,
          max_score: 1,
          status: "passed",
          output: "Accuracy 0.91 beats 0.11 (p < 0.01)",
          visibility: "visible",
        },
        {
          name: "claim",
          score: 1,
          max_score: 1,
          status: "passed",
          output: "Your claimed 0.90 matches the reproduced 0.91",
          visibility: "after_due_date",
        },
        {
          name: "hidden-robustness",
          score: 0,
          max_score: 1,
          status: "failed",
          output: "Secret check the student never sees",
          visibility: "hidden",
        },
      ],
    });
  });

  it("falls back to the verdict's training time when the job has no timing", () => {
    const results = gradescopeResults({
      verdict: verdict("failed", 0.5),
      lateness: { late: false, daysLate: 0, factor: 1, accepted: true },
      executionMs: null,
    });
    expect(results).toMatchObject({ score: 50, execution_time: 2.5, output: "Test verdict (failed)." });
  });
});

describe("export downloads", () => {
  let w: InstructorWorld;

  beforeEach(async () => {
    w = await instructorWorld();
    // A name that would run a formula in a spreadsheet, one with a comma and quotes, one with a line break.
    const now = w.clock.now();
    await w.db.kysely
      .updateTable("users")
      .set({ name: '=HYPERLINK("http://evil.example","click")' })
      .where("id", "=", w.other.id)
      .execute();
    await w.db.kysely.updateTable("users").set({ name: 'Zoë "Z" O\'Neil, Jr.' }).where("id", "=", w.student.id).execute();
    await w.db.kysely.updateTable("users").set({ name: "Tess\nAssistant" }).where("id", "=", w.instructorAsStudent.id).execute();
    await w.db.kysely
      .updateTable("assignments")
      .set({ title: 'Beat it, then "more"', deadline: now + DAY })
      .where("id", "=", w.assignment.id)
      .execute();
    await w.db.kysely
      .updateTable("courses")
      .set({ settings: JSON.stringify({ latePenalty: { perDay: 0.1, maxDaysLate: 3 } }) })
      .where("id", "=", w.courseId)
      .execute();
    const second = await w.addAssignment({ attemptsAllowed: 3 });
    await w.db.kysely.updateTable("assignments").set({ title: "Second", position: 6 }).where("id", "=", second.id).execute();
    const onTime = await submitAt(w, w.student, now);
    const late = await submitAt(w, w.student, now + 3.5 * DAY);
    await submitAt(w, w.other, now);
    await gradeQueue(w.db, now + 4 * DAY, (job) =>
      job.submissionId === onTime.submission.id
        ? verdict("failed", 0.5)
        : job.submissionId === late.submission.id
          ? verdict("passed", 1)
          : verdict("passed", 0.875),
    );
  });
  afterEach(async () => {
    await w.cleanup();
  });

  async function cookieFor(user: User | null): Promise<string> {
    if (!user) return "";
    const token = await w.tokenFor(user);
    expect(await userBySessionToken(w.db, token, w.clock.now())).not.toBeNull();
    return `stepwise_session=${await signSessionToken(token, authSecretOf(testConfig))}`;
  }

  const request = async (user: User | null) => new Request("http://localhost/api/teach/x", { headers: { cookie: await cookieFor(user) } });
  const grades = async (user: User | null, format: "grades" | "canvas" = "grades", courseId = w.courseId) =>
    handleGradesExport(await request(user), { db: w.db, config: testConfig, now: w.clock.now, courseId, format });

  it("exports one row per student with each assignment's best late-adjusted score and a total, parsing back unchanged", async () => {
    const response = await grades(w.instructor);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/csv; charset=utf-8/);
    expect(response.headers.get("content-disposition")).toBe('attachment; filename="test-course-grades.csv"');
    expect(response.headers.get("cache-control")).toBe("private, no-store");
    const bytes = new Uint8Array(await response.arrayBuffer());
    // A UTF-8 byte-order mark first (Response.text() would silently drop it, so read the bytes).
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const parsed = parseCsv(new TextDecoder().decode(bytes));
    expect(parsed).toEqual([
      ["Name", "Email", 'Beat it, then "more"', "Second", "Total"],
      // Sorted by name; the formula-like name is defused with a leading apostrophe and otherwise intact.
      ['\'=HYPERLINK("http://evil.example","click")', "other@example.test", "87.5", "", "87.5"],
      ["Tess\nAssistant", "ta@example.test", "", "", "0"],
      // Best of 50 on time and 100 submitted 3 days late at −10% a day.
      ['Zoë "Z" O\'Neil, Jr.', "student@example.test", "70", "", "70"],
    ]);
  });

  it("exports Canvas's gradebook import layout with the Points Possible row", async () => {
    const response = await grades(w.instructor, "canvas");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-disposition")).toBe('attachment; filename="test-course-canvas.csv"');
    const parsed = parseCsv(await response.text());
    expect(parsed[0]).toEqual(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", 'Beat it, then "more"', "Second"]);
    expect(parsed[1]).toEqual(["    Points Possible", "", "", "", "", "100", "100"]);
    expect(parsed.slice(2)).toEqual([
      ['\'=HYPERLINK("http://evil.example","click")', "", "", "other@example.test", "", "87.5", ""],
      ["Tess\nAssistant", "", "", "ta@example.test", "", "", ""],
      ['Zoë "Z" O\'Neil, Jr.', "", "", "student@example.test", "", "70", ""],
    ]);
  });

  it("builds the CSV rows the download contains (service and route agree)", async () => {
    const caller = await w.as(w.instructor);
    const view = await caller.gradebook.view({ courseId: w.courseId });
    const gradebook = { course: view.course, assignments: view.assignments, rows: view.rows };
    const response = await grades(w.instructor);
    expect(parseCsv(await response.text())).toEqual(
      gradesCsvRows(gradebook).map((r) => r.map((c) => (c === null ? "" : String(c).replace(/^([=+\-@\t\r])/, "'$1")))),
    );
    expect(canvasCsvRows(gradebook)).toHaveLength(2 + 3);
  });

  it.each([
    ["anonymous", 401, "UNAUTHORIZED", () => null],
    ["a student of the course", 403, "FORBIDDEN", (x: InstructorWorld) => x.student],
    ["an instructor enrolled as a student", 403, "FORBIDDEN", (x: InstructorWorld) => x.instructorAsStudent],
    ["an instructor of another course", 403, "FORBIDDEN", (x: InstructorWorld) => x.rival],
  ])("refuses the grade exports to %s (%s)", async (_who, status, code, pick) => {
    for (const format of ["grades", "canvas"] as const) {
      const response = await grades(pick(w), format);
      expect(response.status).toBe(status);
      expect(await response.json()).toMatchObject({ error: { code } });
    }
  });

  it("refuses a forged session cookie", async () => {
    const token = await w.tokenFor(w.instructor);
    const forged = await signSessionToken(token, "not-the-secret-not-the-secret-000");
    const response = await handleGradesExport(new Request("http://localhost/x", { headers: { cookie: `stepwise_session=${forged}` } }), {
      db: w.db,
      config: testConfig,
      courseId: w.courseId,
      format: "grades",
    });
    expect(response.status).toBe(401);
  });

  it("exports a graded submission as Gradescope results.json, only to the course's instructors", async () => {
    const [late] = await w.db.kysely
      .selectFrom("submissions")
      .select("id")
      .where("user_id", "=", w.student.id)
      .orderBy("created_at", "desc")
      .execute();
    if (!late) throw new Error("no submission");
    const get = async (user: User | null, submissionId = late.id) =>
      handleGradescopeExport(await request(user), { db: w.db, config: testConfig, now: w.clock.now, submissionId });
    const response = await get(w.instructor);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-disposition")).toBe('attachment; filename="results.json"');
    const json = (await response.json()) as Record<string, unknown>;
    expect(json).toMatchObject({ score: 70, max_score: 100, output: expect.stringContaining("3 days late: score × 0.7") as unknown });
    expect((json.tests as Array<{ visibility: string }>).map((t) => t.visibility)).toEqual(["visible", "after_due_date", "hidden"]);

    for (const [user, status] of [
      [null, 401],
      [w.student, 403],
      [w.rival, 403],
      [w.instructorAsStudent, 403],
    ] as const) {
      expect((await get(user)).status).toBe(status);
    }
    expect((await get(w.instructor, "missing")).status).toBe(404);
    const pending = await submitAt(w, w.other, w.clock.now());
    const ungraded = await get(w.instructor, pending.submission.id);
    expect(ungraded.status).toBe(412);
    expect(await ungraded.json()).toMatchObject({ error: { message: expect.stringMatching(/no verdict yet/) as unknown } });
  });
});
