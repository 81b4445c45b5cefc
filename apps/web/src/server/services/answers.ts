import { ValidationError, type Question, type SubmissionPayload } from "@stepwise/core/contracts";

type Answers = NonNullable<SubmissionPayload["answers"]>;
type Answer = Answers[string];

function describe(value: Answer): string {
  return typeof value === "string"
    ? `the text "${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`
    : `${typeof value} ${String(value)}`;
}

function checkOne(question: Question, value: Answer): void {
  const field = `answers.${question.id}`;
  const name = `Question "${question.prompt}" (${question.id})`;
  switch (question.kind) {
    case "choice": {
      const allowed = (question.options ?? []).map((o) => o.value);
      if (typeof value !== "string" || !allowed.includes(value)) {
        throw new ValidationError(`${name} expects one of ${allowed.map((v) => `"${v}"`).join(", ")}, got ${describe(value)}`, field);
      }
      return;
    }
    case "number":
      if (typeof value !== "number") throw new ValidationError(`${name} expects a number, got ${describe(value)}`, field);
      return;
    case "boolean":
      if (typeof value !== "boolean") throw new ValidationError(`${name} expects yes or no, got ${describe(value)}`, field);
      return;
    case "text":
      if (typeof value !== "string" || value.trim().length === 0)
        throw new ValidationError(`${name} expects a written answer, got ${describe(value)}`, field);
      return;
  }
}

/**
 * Checks answers against an exercise's questions before anything is stored: every question answered
 * with a value of its kind (a choice among its options), and no answer to a question that does not
 * exist. Errors name the question so the form can point at it.
 */
export function checkAnswers(questions: readonly Question[], answers: SubmissionPayload["answers"]): void {
  const given = answers ?? {};
  const known = new Set(questions.map((q) => q.id));
  const unknown = Object.keys(given).filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new ValidationError(
      `This exercise has no question ${unknown.map((id) => `"${id}"`).join(", ")}; its questions are ${[...known].map((id) => `"${id}"`).join(", ")}`,
      "answers",
    );
  }
  for (const question of questions) {
    const value = given[question.id];
    if (value === undefined)
      throw new ValidationError(`Question "${question.prompt}" (${question.id}) needs an answer, got none`, `answers.${question.id}`);
    checkOne(question, value);
  }
}
