import type { ExerciseDefinition } from "@stepwise/core/contracts";
import type { GradedCheck } from "@stepwise/core/verify";
import type { AnswerOptions } from "./facts";

/** Answers after validation: every question answered with a value of its kind. */
export type Answers = Readonly<Record<string, string | number | boolean>>;

export interface RuleInput {
  exercise: ExerciseDefinition;
  answers: Answers;
  options: AnswerOptions;
}

export interface RuleResult {
  checks: GradedCheck[];
  /** Measured numbers shown next to the checks (class balance, value ranges …). */
  metrics?: Record<string, { label: string; value: number }>;
}

export const text = (answers: Answers, id: string): string => String(answers[id]);
export const number = (answers: Answers, id: string): number => Number(answers[id]);
export const flag = (answers: Answers, id: string): boolean => answers[id] === true;

export const check = (id: string, passed: boolean, message: string): GradedCheck => ({ id, passed, message, visibility: "always" });
