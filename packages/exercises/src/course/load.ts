import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { isAbsolute, join, normalize } from "node:path";
import { type ExerciseDefinition, StepwiseError, ValidationError } from "@stepwise/core/contracts";
import { parseCsv } from "@stepwise/core/datasets";
import { findExercise, listExercises } from "../index";
import { issuesToErrors, parseYamlSource, type YamlSource } from "./issues";
import {
  ASSIGNMENT_FILE,
  AssignmentFile,
  type CourseAssignment,
  type CourseError,
  CourseFile,
  type CourseFolder,
  formatCourseError,
} from "./schema";

export type CourseValidation = { ok: true; course: CourseFolder } | { ok: false; errors: CourseError[] };

const COURSE_FILE = "course.yaml";
const ASSIGNMENTS = "assignments";

function read(dir: string, file: string): YamlSource | CourseError {
  const full = join(dir, file);
  if (!existsSync(full)) return { file, path: "", expected: `a file ${file}`, got: "no such file" };
  return parseYamlSource(file, readFileSync(full, "utf8"));
}

const errorAt = (source: YamlSource, path: (string | number)[], expected: string, got: string): CourseError => {
  const line = source.lineOf(path);
  return { file: source.file, ...(line !== undefined ? { line } : {}), path: path.join("."), expected, got };
};

/**
 * A dataset override must fit the exercise's questions: steps 1 and 4 ask about one kind of data;
 * steps 2–3 work on any data, and training steps (5–7) train on any dataset the grader can load.
 */
function checkDataset(
  source: YamlSource,
  assignment: AssignmentFile,
  exercise: ExerciseDefinition,
  dir: string,
  dataFiles: Record<string, string>,
): CourseError[] {
  const dataset = assignment.dataset;
  if (!dataset) return [];
  const flexible = exercise.step === 2 || exercise.step === 3 || exercise.kind === "training";
  if (!flexible && dataset.kind !== exercise.dataset.kind) {
    return [
      errorAt(
        source,
        ["dataset", "kind"],
        `"${exercise.dataset.kind}" (exercise ${exercise.id} asks about that dataset)`,
        JSON.stringify(dataset.kind),
      ),
    ];
  }
  if (dataset.kind !== "csv") return [];
  const file = normalize(dataset.file);
  if (isAbsolute(dataset.file) || file.startsWith("..")) {
    return [errorAt(source, ["dataset", "file"], "a path inside the course folder, e.g. data/loans.csv", JSON.stringify(dataset.file))];
  }
  const full = join(dir, file);
  if (!existsSync(full) || !statSync(full).isFile()) {
    return [
      errorAt(source, ["dataset", "file"], "a CSV file in the course folder", `${JSON.stringify(dataset.file)}, which does not exist`),
    ];
  }
  const text = dataFiles[file] ?? readFileSync(full, "utf8");
  try {
    parseCsv(text, { target: dataset.target, task: dataset.task });
  } catch (error) {
    if (!(error instanceof StepwiseError)) throw error;
    const path = error instanceof ValidationError && error.path === "target" ? ["dataset", "target"] : ["dataset", "file"];
    return [errorAt(source, path, `a readable CSV with the ${dataset.task} target column \`${dataset.target}\``, error.message)];
  }
  dataFiles[file] = text;
  return [];
}

function loadAssignment(
  dir: string,
  name: string,
  dataFiles: Record<string, string>,
): { assignment?: CourseAssignment; errors: CourseError[] } {
  const file = `${ASSIGNMENTS}/${name}`;
  const match = ASSIGNMENT_FILE.exec(name);
  if (!match)
    return {
      errors: [
        { file, path: "", expected: "a file name NN-name.yaml (two digits, lower-case words joined by '-')", got: JSON.stringify(name) },
      ],
    };
  const source = read(dir, file);
  if (!("lineOf" in source)) return { errors: [source] };
  if (source.errors.length > 0) return { errors: source.errors };
  const parsed = AssignmentFile.safeParse(source.value ?? {});
  // The exercise id is checked even when other keys are wrong, so one run reports both.
  const id = (source.value as { exercise?: unknown } | null)?.exercise;
  const exercise = typeof id === "string" ? findExercise(id) : undefined;
  const unknownExercise =
    typeof id === "string" && !exercise
      ? [
          errorAt(
            source,
            ["exercise"],
            `a built-in exercise id (${listExercises()
              .map((e) => e.id)
              .join(", ")})`,
            JSON.stringify(id),
          ),
        ]
      : [];
  if (!parsed.success) return { errors: [...issuesToErrors(source, AssignmentFile, parsed.error.issues), ...unknownExercise] };
  if (!exercise) return { errors: unknownExercise };
  const errors = checkDataset(source, parsed.data, exercise, dir, dataFiles);
  return { errors, ...(errors.length === 0 ? { assignment: { file, position: Number(match[1]), assignment: parsed.data } } : {}) };
}

/** Reads and checks a course folder, collecting every error of every file. */
export function validateCourseFolder(dir: string): CourseValidation {
  const errors: CourseError[] = [];
  const courseSource = read(dir, COURSE_FILE);
  let course: CourseFile | undefined;
  if (!("lineOf" in courseSource)) errors.push(courseSource);
  else if (courseSource.errors.length > 0) errors.push(...courseSource.errors);
  else {
    const parsed = CourseFile.safeParse(courseSource.value ?? {});
    if (parsed.success) course = parsed.data;
    else errors.push(...issuesToErrors(courseSource, CourseFile, parsed.error.issues));
  }

  const assignmentsDir = join(dir, ASSIGNMENTS);
  const names = existsSync(assignmentsDir)
    ? readdirSync(assignmentsDir)
        .filter((name) => !name.startsWith("."))
        .sort()
    : [];
  if (names.length === 0)
    errors.push({ file: `${ASSIGNMENTS}/`, path: "", expected: "at least one assignment file NN-name.yaml", got: "none" });
  const dataFiles: Record<string, string> = {};
  const assignments: CourseAssignment[] = [];
  const positions = new Map<number, string>();
  for (const name of names) {
    const result = loadAssignment(dir, name, dataFiles);
    errors.push(...result.errors);
    if (!result.assignment) continue;
    const other = positions.get(result.assignment.position);
    if (other) {
      errors.push({
        file: result.assignment.file,
        path: "",
        expected: `a position number not used by ${other}`,
        got: String(result.assignment.position).padStart(2, "0"),
      });
    }
    positions.set(result.assignment.position, result.assignment.file);
    assignments.push(result.assignment);
  }
  if (errors.length > 0 || !course) {
    // Grouped by file as read, then top to bottom within a file.
    const order = [...new Set(errors.map((e) => e.file))];
    const byLine = errors
      .map((e, i) => ({ e, i }))
      .sort((a, b) => order.indexOf(a.e.file) - order.indexOf(b.e.file) || (a.e.line ?? 0) - (b.e.line ?? 0) || a.i - b.i);
    return { ok: false, errors: byLine.map(({ e }) => e) };
  }
  const sortedData = Object.fromEntries(Object.entries(dataFiles).sort(([a], [b]) => (a < b ? -1 : 1)));
  return { ok: true, course: { course, assignments, dataFiles: sortedData } };
}

/** `validateCourseFolder`, throwing one ValidationError that lists every problem. */
export function loadCourseFolder(dir: string): CourseFolder {
  const result = validateCourseFolder(dir);
  if (result.ok) return result.course;
  throw new ValidationError(
    `Course folder ${dir} has ${result.errors.length} error${result.errors.length === 1 ? "" : "s"}:\n${result.errors.map(formatCourseError).join("\n")}`,
  );
}
