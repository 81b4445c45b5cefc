import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { stringify } from "yaml";
import { AssignmentFile, CourseFile, type CourseFolder } from "./schema";

const yaml = (value: unknown) => stringify(value, { lineWidth: 0, sortMapEntries: false });

/** Record keys (check visibility) sorted, everything else in schema order: one object, one text. */
function normalizeAssignment(assignment: AssignmentFile): AssignmentFile {
  const parsed = AssignmentFile.parse(assignment);
  if (!parsed.visibility) return parsed;
  return { ...parsed, visibility: Object.fromEntries(Object.entries(parsed.visibility).sort(([a], [b]) => (a < b ? -1 : 1))) };
}

/**
 * Writes `course` as a course folder in normalized form (schema key order, fixed formatting), so
 * exporting the same course twice gives byte-identical files. Assignment YAML files already in
 * `dir/assignments` that the course does not contain are removed; other files are left alone.
 */
export function writeCourseFolder(course: CourseFolder, dir: string): void {
  mkdirSync(join(dir, "assignments"), { recursive: true });
  writeFileSync(join(dir, "course.yaml"), yaml(CourseFile.parse(course.course)));
  const wanted = new Set(course.assignments.map((a) => a.file));
  for (const name of readdirSync(join(dir, "assignments"))) {
    if (name.endsWith(".yaml") && !wanted.has(`assignments/${name}`)) rmSync(join(dir, "assignments", name));
  }
  for (const { file, assignment } of course.assignments) {
    writeFileSync(join(dir, file), yaml(normalizeAssignment(assignment)));
  }
  for (const [file, text] of Object.entries(course.dataFiles)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
}
