import type { ExerciseDefinition, Question, SubmissionPayload, Verdict } from "@stepwise/core/contracts";
import { assembleVerdict, statusVerdict } from "@stepwise/core/verify";
import { datasetErrorVerdict } from "../grading/grade";
import type { AnswerOptions } from "./facts";
import { gradeChooseMetric } from "./metric";
import { gradeCsvPrepare } from "./prepare-csv";
import { gradeImdbPrepare } from "./prepare-imdb";
import { gradeMnistPrepare } from "./prepare-mnist";
import { gradeDefineProblem } from "./problem";
import { gradeEvaluationProtocol } from "./protocol";
import type { RuleInput, RuleResult } from "./types";

type Answer = string | number | boolean;

function answerProblem(question: Question, value: Answer | undefined): string | undefined {
  if (value === undefined) return `\`${question.id}\` is missing (${question.prompt})`;
  switch (question.kind) {
    case "choice": {
      const allowed = (question.options ?? []).map((o) => o.value);
      return typeof value === "string" && allowed.includes(value)
        ? undefined
        : `\`${question.id}\` must be one of ${allowed.map((v) => `"${v}"`).join(", ")}, got ${JSON.stringify(value)}`;
    }
    case "number":
      return typeof value === "number" && Number.isFinite(value)
        ? undefined
        : `\`${question.id}\` must be a number, got ${JSON.stringify(value)}`;
    case "boolean":
      return typeof value === "boolean" ? undefined : `\`${question.id}\` must be true or false, got ${JSON.stringify(value)}`;
    case "text":
      return typeof value === "string" && value.trim() !== ""
        ? undefined
        : `\`${question.id}\` must be a non-empty text, got ${JSON.stringify(value)}`;
  }
}

/** Every problem with the answers at once, so the student fixes them in one go. */
export function answerProblems(exercise: ExerciseDefinition, answers: Readonly<Record<string, Answer>>): string[] {
  const known = new Set(exercise.questions.map((q) => q.id));
  const unknown = Object.keys(answers).filter((id) => !known.has(id));
  return [
    ...(unknown.length > 0
      ? [
          `unknown question id${unknown.length > 1 ? "s" : ""} ${unknown.map((id) => `\`${id}\``).join(", ")}; expected: ${[...known].join(", ")}`,
        ]
      : []),
    ...exercise.questions.flatMap((q) => answerProblem(q, answers[q.id]) ?? []),
  ];
}

function rule(exercise: ExerciseDefinition): ((input: RuleInput) => RuleResult) | undefined {
  switch (exercise.step) {
    case 1:
      return gradeDefineProblem;
    case 2:
      return gradeChooseMetric;
    case 3:
      return gradeEvaluationProtocol;
    case 4:
      return exercise.dataset.kind === "mnist" ? gradeMnistPrepare : exercise.dataset.kind === "imdb" ? gradeImdbPrepare : gradeCsvPrepare;
    default:
      return undefined;
  }
}

/**
 * Grades the answers of a step 1–4 exercise against facts measured from the real data (no training).
 * Answers that cannot be graded (unknown or missing question ids, wrong kinds) give an `invalid`
 * verdict naming every one of them, which costs no attempt.
 */
export function gradeAnswers(exercise: ExerciseDefinition, payload: SubmissionPayload, options: AnswerOptions = {}): Verdict {
  const grade = rule(exercise);
  if (exercise.kind === "training" || !grade) {
    return statusVerdict(
      "invalid",
      `Exercise "${exercise.id}" (step ${exercise.step}) is graded by training a model, not from answers: submit a model.`,
    );
  }
  if (payload.exerciseId !== exercise.id) {
    return statusVerdict("invalid", `The submission is for exercise "${payload.exerciseId}", expected "${exercise.id}".`);
  }
  const problems = answerProblems(exercise, payload.answers ?? {});
  if (problems.length > 0) return statusVerdict("invalid", `The answers cannot be graded: ${problems.join("; ")}.`);
  try {
    const result = grade({ exercise, answers: payload.answers ?? {}, options });
    // A NaN measurement is reported by its check; the stored metrics must stay finite numbers.
    const metrics = Object.fromEntries(Object.entries(result.metrics ?? {}).filter(([, m]) => Number.isFinite(m.value)));
    return assembleVerdict({ checks: result.checks, metrics, visibility: exercise.checkVisibility });
  } catch (error) {
    // A dataset that cannot be read (a course's CSV with a bad row) is the exercise's fault, not the student's.
    const verdict = datasetErrorVerdict(exercise, error);
    if (verdict) return verdict;
    throw error;
  }
}
