import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ValidationError } from "@stepwise/core/contracts";
import { getExercise, listExercises } from "../index";

/** A commented assignment file for `exercise` that validates as written. */
export function scaffoldAssignment(exerciseId = "mnist-beat-baseline"): string {
  const exercise = getExercise(exerciseId);
  const training = exercise.kind === "training";
  return `# A Stepwise assignment: one built-in exercise placed in a course, with your overrides.
# Unknown keys are errors, so a typo never passes silently. Check with: stepwise validate <course-dir>
# Name the file NN-name.yaml in the course's assignments/ folder: NN orders the assignments.

# Built-in exercise id; \`stepwise list\` shows them all.
exercise: ${exercise.id}

# Title override (default: "${exercise.title}").
# title: My own title

# Dataset override: mnist, imdb, or a CSV file in the course folder:
# dataset:
#   kind: csv
#   file: data/loans.csv      # relative to the course folder
#   target: default           # the column to predict
#   task: binary              # binary, multiclass or regression
${
  training
    ? `
# Budgets checked before anything trains; a model over budget is rejected with how far over it is.
budgets:
  maxParams: ${exercise.budgets.maxParams}        # trainable parameters
  maxEpochs: ${exercise.budgets.maxEpochs}            # epochs
  maxBatchSize: ${exercise.budgets.maxBatchSize}       # examples per batch
  maxSeconds: ${exercise.budgets.maxSeconds}          # estimated grader training time, seconds

# Grading seed, and how many seeds each model is retrained with.
seed: ${exercise.seed}
seeds: 1
`
    : ""
}
# Graded attempts (default: the course's defaultAttempts).
attempts: 5

# Deadline, ISO 8601 with a time zone; late submissions follow latePenalty.
# deadline: 2026-03-01T23:59:00Z
# latePenalty:
#   perDay: 0.1        # fraction of the score lost per day late
#   maxDaysLate: 3     # after this, submissions are refused

# When students see each check: always, after_deadline or never.
# visibility:
#   beats-baseline: always

# Hints replace the exercise's own.
# hints:
#   - Start from a small model.
`;
}

/** A course folder with a commented course.yaml and one assignment per step the catalogue covers on MNIST. */
export function scaffoldCourse(dir: string, options: { title?: string; instructor?: string } = {}): string[] {
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new ValidationError(`expected an empty or new directory for the course, got ${dir} with ${readdirSync(dir).length} entries`);
  }
  mkdirSync(join(dir, "assignments"), { recursive: true });
  const course = `# A Stepwise course folder: this file plus one assignments/NN-name.yaml per assignment.
# Unknown keys are errors. Check the folder with: stepwise validate ${dir}

title: ${JSON.stringify(options.title ?? "My machine learning course")}

# Instructors' e-mail addresses; at least one.
instructors:
  - ${options.instructor ?? "instructor@example.edu"}

settings:
  # Graded attempts per assignment unless an assignment sets \`attempts\`.
  defaultAttempts: 10
  # Late submissions: fraction of the score lost per day late, and how many days late are accepted.
  latePenalty:
    perDay: 0.1
    maxDaysLate: 3
`;
  writeFileSync(join(dir, "course.yaml"), course);
  const written = ["course.yaml"];
  const mnist = listExercises().filter((e) => e.dataset.kind === "mnist");
  mnist.forEach((exercise, i) => {
    const file = `assignments/${String(i + 1).padStart(2, "0")}-${exercise.id}.yaml`;
    writeFileSync(join(dir, file), scaffoldAssignment(exercise.id));
    written.push(file);
  });
  return written;
}
