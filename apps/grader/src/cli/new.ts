import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { findExercise, listExercises } from "@stepwise/exercises";
import { scaffoldAssignment, scaffoldCourse } from "@stepwise/exercises/course";

/**
 * `stepwise new exercise <file.yaml> [--exercise ID]` and `stepwise new course <dir>`: commented
 * scaffolds that pass `stepwise validate` as written. Never overwrites.
 */
export function newCommand(
  what: string | undefined,
  target: string | undefined,
  options: { exercise?: string | undefined },
  write: (line: string) => void,
  writeError: (line: string) => void,
): number {
  if ((what !== "exercise" && what !== "course") || !target) {
    writeError("stepwise: expected `new exercise <file.yaml>` or `new course <dir>`.");
    return 2;
  }
  if (what === "exercise") {
    if (!target.endsWith(".yaml")) {
      writeError(`stepwise: expected a file name NN-name.yaml, got ${target}.`);
      return 2;
    }
    if (options.exercise !== undefined && !findExercise(options.exercise)) {
      writeError(
        `stepwise: unknown exercise "${options.exercise}"; expected one of: ${listExercises()
          .map((e) => e.id)
          .join(", ")}.`,
      );
      return 2;
    }
    if (existsSync(target)) {
      writeError(`stepwise: ${target} already exists; choose a new file name.`);
      return 2;
    }
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, scaffoldAssignment(options.exercise));
    write(`wrote ${target}`);
    return 0;
  }
  for (const file of scaffoldCourse(target)) write(`wrote ${target}/${file}`);
  write(`Next: edit ${target}/course.yaml, then run \`stepwise validate ${target}\`.`);
  return 0;
}
