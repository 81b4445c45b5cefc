import { existsSync, statSync } from "node:fs";
import { formatCourseError, validateCourseFolder } from "@stepwise/exercises/course";

/** `stepwise validate <course-dir>`: every error on its own line; 0 valid, 2 invalid. */
export function validateCommand(dir: string | undefined, write: (line: string) => void, writeError: (line: string) => void): number {
  if (!dir) {
    writeError("stepwise: validate needs a <course-dir>.");
    return 2;
  }
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    writeError(`stepwise: expected a course folder (a directory with course.yaml and assignments/), got ${dir}, which is not a directory.`);
    return 2;
  }
  const result = validateCourseFolder(dir);
  if (result.ok) {
    const { course, assignments } = result.course;
    write(`${dir}: valid — "${course.title}", ${assignments.length} assignment${assignments.length === 1 ? "" : "s"}.`);
    return 0;
  }
  for (const error of result.errors) writeError(formatCourseError(error));
  writeError(`${dir}: ${result.errors.length} error${result.errors.length === 1 ? "" : "s"}.`);
  return 2;
}
