import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { NotFoundError, PreconditionError, ValidationError } from "@stepwise/core/contracts";
import { csvRecords, CSV_DEFAULTS } from "@stepwise/core/datasets";
import {
  assignmentsForCourse,
  courseById,
  courseDataFiles,
  courseMembers,
  importCourse,
  userByEmail,
  type Assignment,
  type Course,
  type CourseDataFile,
  type Db,
  type User,
} from "@stepwise/db";
import { getExercise } from "@stepwise/exercises";
import { parseDocument } from "yaml";
import {
  AssignmentFile,
  type CourseAssignment,
  type CourseFolder,
  type CourseValidation,
  formatCourseError,
  validateCourseFolder,
  writeCourseFolder,
} from "@stepwise/exercises/course";
import { courseSettings } from "./late-policy";
import { type FolderFiles, unsafePath, unzipFolder, zipFolder } from "./course-zip";

/**
 * A course ↔ its course folder (the authoring format of `packages/exercises`). The mapping is the
 * demo seed's: an assignment's `overrides` are its file minus `exercise`, `title`, `attempts` and
 * `deadline`, which are columns. Exporting what was imported gives the same files, byte for byte,
 * once normalized: keys in schema order, assignment files named `NN-<exercise>.yaml`, deadlines in
 * UTC (`…Z`), attempts always written (import resolves the course default), titles only when they
 * differ from the exercise's.
 */

function withTempDir<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "stepwise-folder-"));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function readTree(dir: string, root = dir): FolderFiles {
  const files: FolderFiles = {};
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) Object.assign(files, readTree(full, root));
    else files[relative(root, full).split("\\").join("/")] = readFileSync(full, "utf8");
  }
  return files;
}

const isoDeadline = (ms: number) => new Date(ms).toISOString().replace(/\.000Z$/, "Z");

/** File name (`course-title.zip`) and top folder for an export. */
export function folderSlug(title: string): string {
  const slug = title
    .toLowerCase()
    .normalize("NFKD")
    // Accents come apart from their letters under NFKD; drop them so "Ç" becomes "c", not "c-".
    .replace(/\p{M}/gu, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60)
    .replace(/-+$/, "");
  return slug || "course";
}

function assignmentFile(assignment: Assignment): AssignmentFile {
  const exercise = getExercise(assignment.exerciseId);
  return AssignmentFile.parse({
    exercise: assignment.exerciseId,
    ...(assignment.title !== exercise.title ? { title: assignment.title } : {}),
    ...assignment.overrides,
    ...(assignment.attemptsAllowed !== null ? { attempts: assignment.attemptsAllowed } : {}),
    ...(assignment.deadline !== null ? { deadline: isoDeadline(assignment.deadline) } : {}),
  });
}

/** NN prefixes: the stored positions when they fit (unique, 1–99), else 1…n in course order. */
function filePositions(assignments: readonly Assignment[]): number[] {
  if (assignments.length > 99)
    throw new PreconditionError(`A course folder holds at most 99 assignments (NN-name.yaml); this course has ${assignments.length}`);
  const stored = assignments.map((a) => a.position);
  const fits = new Set(stored).size === stored.length && stored.every((p) => Number.isInteger(p) && p >= 1 && p <= 99);
  return fits ? stored : assignments.map((_, i) => i + 1);
}

/** The course as a course folder (what `exportFolder` writes). */
export async function courseFolderOf(db: Db, courseId: string): Promise<{ course: Course; folder: CourseFolder }> {
  const course = await courseById(db, courseId);
  if (!course) throw new NotFoundError(`No course with id "${courseId}"`);
  const [members, assignments, data] = await Promise.all([
    courseMembers(db, courseId),
    assignmentsForCourse(db, courseId),
    courseDataFiles(db, courseId),
  ]);
  const positions = filePositions(assignments);
  const files: CourseAssignment[] = assignments.map((assignment, i) => {
    const position = positions[i] ?? i + 1;
    return {
      file: `assignments/${String(position).padStart(2, "0")}-${assignment.exerciseId}.yaml`,
      position,
      assignment: assignmentFile(assignment),
    };
  });
  for (const { file } of data) {
    const problem = unsafePath(file);
    if (problem) throw new PreconditionError(`Dataset ${problem}`);
  }
  return {
    course,
    folder: {
      course: { title: course.title, instructors: members.instructors.map((m) => m.email), settings: courseSettings(course) },
      assignments: files,
      dataFiles: Object.fromEntries(data.map((d) => [d.file, d.csv])),
    },
  };
}

/** The course folder as normalized text files and as a zip (one top folder named after the course). */
export async function exportCourseFolder(db: Db, courseId: string): Promise<{ fileName: string; files: FolderFiles; zip: Uint8Array }> {
  const { course, folder } = await courseFolderOf(db, courseId);
  // writeCourseFolder is the one normalizer (key order, YAML style): reuse it rather than a copy of it.
  const files = withTempDir((dir) => {
    writeCourseFolder(folder, dir);
    return readTree(dir);
  });
  const slug = folderSlug(course.title);
  return { fileName: `${slug}.zip`, files, zip: zipFolder(slug, files) };
}

/**
 * Aliases one YAML file may expand: a course file needs none, and an "alias bomb" (aliases of lists of
 * aliases) expands exponentially while the file stays tiny.
 */
export const MAX_YAML_ALIASES = 50;

/** Refuses a YAML file whose aliases expand past `MAX_YAML_ALIASES`, before the loader reads it. */
function checkYamlAliases(files: FolderFiles): void {
  for (const [path, text] of Object.entries(files)) {
    if (!/\.ya?ml$/i.test(path) || !text.includes("*")) continue;
    try {
      parseDocument(text).toJS({ maxAliasCount: MAX_YAML_ALIASES });
    } catch (error) {
      // Other YAML errors are the loader's to report, with their line numbers.
      if (!/alias/i.test((error as Error).message)) continue;
      throw new ValidationError(
        `${path} — expected YAML whose aliases (*name) expand to at most ${MAX_YAML_ALIASES} nodes, got more (an alias bomb?); write the values out instead`,
        "zip",
      );
    }
  }
}

/** Writes the files the loader reads (course.yaml, assignments/*, CSVs) and validates them as `stepwise validate` does. */
export function checkFolderFiles(files: FolderFiles): CourseValidation {
  checkYamlAliases(files);
  const wanted = Object.keys(files).filter(
    (path) => path === "course.yaml" || path.startsWith("assignments/") || path.toLowerCase().endsWith(".csv"),
  );
  return withTempDir((dir) => {
    for (const path of wanted) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), files[path] ?? "");
    }
    return validateCourseFolder(dir);
  });
}

/** `checkFolderFiles`, throwing one ValidationError that lists every problem as `file:line path — expected …, got …`. */
export function validateFolderFiles(files: FolderFiles): CourseFolder {
  const result = checkFolderFiles(files);
  if (result.ok) return result.course;
  const count = result.errors.length;
  throw new ValidationError(
    `The course folder has ${count} error${count === 1 ? "" : "s"}:\n${result.errors.map(formatCourseError).join("\n")}`,
    "zip",
  );
}

/** Every CSV in the folder, referenced or not, so an export → import keeps the course's datasets. */
function dataFilesOf(files: FolderFiles): CourseDataFile[] {
  return Object.keys(files)
    .filter((path) => path.toLowerCase().endsWith(".csv"))
    .sort()
    .map((file) => {
      const csv = files[file] ?? "";
      const bytes = Buffer.byteLength(csv, "utf8");
      if (bytes > CSV_DEFAULTS.maxBytes)
        throw new ValidationError(`${file} — expected a CSV of at most ${CSV_DEFAULTS.maxBytes} bytes, got ${bytes}`, "zip");
      let columns: string[] | undefined;
      let rows = 0;
      try {
        for (const record of csvRecords(csv)) {
          if (columns === undefined) columns = record.fields.map((name) => name.trim());
          else rows++;
        }
      } catch (error) {
        throw new ValidationError(`${file} — expected a readable CSV, got ${(error as Error).message}`, "zip");
      }
      if (!columns || columns.every((c) => c === ""))
        throw new ValidationError(`${file} — expected a CSV with a header row, got an empty file`, "zip");
      return { file, csv, rows, columns };
    });
}

/**
 * Instructors of the new course: the importer, and each account course.yaml lists that may teach.
 * Listed e-mails without an instructor account are reported, never created.
 */
async function instructorsOf(db: Db, importer: User, emails: readonly string[]): Promise<{ ids: string[]; warnings: string[] }> {
  const ids: string[] = [];
  const warnings: string[] = [];
  if (!emails.map((e) => e.toLowerCase()).includes(importer.email)) ids.push(importer.id);
  for (const email of emails) {
    const user = email.toLowerCase() === importer.email ? importer : await userByEmail(db, email);
    if (!user) warnings.push(`${email} is listed as an instructor but has no account; add them from the course page once they sign up.`);
    else if (user.role === "student") warnings.push(`${email} is listed as an instructor but has a student account; they were not added.`);
    else if (!ids.includes(user.id)) ids.push(user.id);
  }
  return { ids, warnings };
}

function assignmentOf(entry: CourseAssignment, defaultAttempts: number): Omit<Assignment, "id" | "createdAt" | "courseId"> {
  const { exercise: exerciseId, title, attempts, deadline, ...rest } = entry.assignment;
  return {
    exerciseId,
    title: title ?? getExercise(exerciseId).title,
    overrides: Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)),
    deadline: deadline ? Date.parse(deadline) : null,
    attemptsAllowed: attempts ?? defaultAttempts,
    position: entry.position,
  };
}

/** Imports a zipped course folder as a NEW course taught by `importer` (and the instructors it lists that have accounts). */
export async function importCourseFolder(
  db: Db,
  importer: User,
  zip: Uint8Array,
  now: number,
): Promise<{ course: Course; warnings: string[] }> {
  const files = unzipFolder(zip);
  const folder = validateFolderFiles(files);
  const datasets = dataFilesOf(files);
  const { ids, warnings } = await instructorsOf(db, importer, folder.course.instructors);
  const course = await importCourse(
    db,
    {
      title: folder.course.title,
      settings: folder.course.settings,
      instructorIds: ids,
      assignments: folder.assignments.map((a) => assignmentOf(a, folder.course.settings.defaultAttempts)),
      datasets,
      createdBy: importer.id,
    },
    now,
  );
  return { course, warnings };
}
