import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ExerciseDefinition, Verdict } from "@stepwise/core/contracts";
import { listExercises } from "../src";
import { answerFacts, gradeAnswers } from "../src/answers";
import { answerSolutions } from "../src/solutions";

/**
 * Steps 1–4 teach by pointing at the evidence, never by telling: feedback on a wrong answer names
 * where to look (the class balance table, the target's range, the number of training examples, the
 * measured input range) and what the answer given means, but never the expected answer.
 */

const cacheDir = join(import.meta.dirname, "..", "..", "..", "data", "cache");
type Answer = string | number | boolean;
type Answers = Record<string, Answer>;

const exercises = listExercises().filter((e) => e.kind !== "training");
const correctAnswers = (exercise: ExerciseDefinition): Answers => {
  const answers = answerSolutions[exercise.id]?.correct.answers;
  if (!answers) throw new Error(`no correct answers for ${exercise.id}`);
  return answers;
};
const grade = (exercise: ExerciseDefinition, answers: Answers): Verdict =>
  gradeAnswers(exercise, { exerciseId: exercise.id, answers }, { cacheDir });

/** A mention of the data panel or of a measurement on it. */
const EVIDENCE =
  /data panel|class balance|description above|training (examples|rows|reviews|digits|pixels|text|words|data|split|columns)|range/i;

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
/** A value as a whole word; a label anywhere (both case-insensitive). */
const wordPattern = (value: string) => new RegExp(`(?<![\\w-])${escape(value)}(?![\\w-])`, "i");
/** A number on its own, not part of a longer one ("0" does not match "0.3"). */
const numberPattern = (text: string) => new RegExp(`(?<![\\d.,])${escape(text)}(?!\\d|[.,]\\d)`);

interface Case {
  exerciseId: string;
  question: string;
  wrong: Answer;
  /** What the feedback must not contain: the accepted option values and labels, or the expected number. */
  forbidden: RegExp[];
}

/** Every option of every choice question that fails when the rest of the answers are right; the others are accepted. */
function choiceCases(exercise: ExerciseDefinition): Case[] {
  const correct = correctAnswers(exercise);
  return exercise.questions.flatMap((q) => {
    if (q.kind !== "choice") return [];
    const options = q.options ?? [];
    const accepted = options.filter((o) => grade(exercise, { ...correct, [q.id]: o.value }).status === "passed");
    const forbidden = accepted.flatMap((o) => [wordPattern(o.value), new RegExp(escape(o.label), "i")]);
    return options
      .filter((o) => !accepted.includes(o))
      .map((o) => ({ exerciseId: exercise.id, question: q.id, wrong: o.value, forbidden }));
  });
}

const shareTexts = (share: number) => [`${(100 * share).toFixed(1)}%`, share.toFixed(3), share.toFixed(2), String(share)];

/** A wrong number or boolean for each question whose answer is checked on its own. */
function valueCases(exercise: ExerciseDefinition): Case[] {
  const correct = correctAnswers(exercise);
  const facts = answerFacts(exercise.dataset, { cacheDir });
  const at = (question: string, wrong: Answer, forbidden: RegExp[] = []): Case => ({ exerciseId: exercise.id, question, wrong, forbidden });
  const cases: Case[] = [];
  for (const q of exercise.questions) {
    if (q.id === "classes") {
      const expected = facts.task === "regression" ? 0 : facts.classes;
      cases.push(at(q.id, expected + 3, [numberPattern(String(expected))]));
    } else if (q.id === "rarestClassShare") {
      const rarest = facts.task === "regression" ? 0 : Math.min(...facts.classBalance);
      cases.push(at(q.id, 0.3, shareTexts(rarest).map(numberPattern)));
    } else if (q.id === "folds" && correct.protocol !== "holdout") {
      cases.push(at(q.id, 20));
    } else if (q.id === "validationFraction") {
      const folds = Number(correct.folds);
      cases.push(
        correct.protocol === "holdout"
          ? at(q.id, 0.6)
          : at(q.id, 0.5, [numberPattern((1 / folds).toFixed(2)), numberPattern(`1/${folds}`)]),
      );
    } else if (q.id === "vocabularySize") {
      cases.push(at(q.id, 1_000));
    } else if (q.kind === "boolean") {
      cases.push(at(q.id, false));
    }
  }
  return cases;
}

const cases = exercises.flatMap((e) => [...choiceCases(e), ...valueCases(e)]);

describe("feedback on a wrong answer points to the evidence and never states the expected answer", () => {
  it("covers every answer exercise, with at least one wrong option for each choice question", () => {
    for (const exercise of exercises) {
      for (const q of exercise.questions.filter((question) => question.kind === "choice")) {
        expect(
          cases.some((c) => c.exerciseId === exercise.id && c.question === q.id),
          `${exercise.id} ${q.id}`,
        ).toBe(true);
      }
    }
    expect(new Set(cases.map((c) => c.exerciseId)).size).toBe(exercises.length);
  });

  it.each(cases.map((c) => [c.exerciseId, c.question, c.wrong, c] as const))("%s: %s = %j", (_id, _question, _wrong, c) => {
    const exercise = exercises.find((e) => e.id === c.exerciseId);
    if (!exercise) throw new Error(`no exercise ${c.exerciseId}`);
    const verdict = grade(exercise, { ...correctAnswers(exercise), [c.question]: c.wrong });
    expect(verdict.status).toBe("failed");
    const failed = verdict.checks.filter((check) => !check.passed);
    expect(failed.length).toBeGreaterThan(0);
    for (const check of failed) expect(check.message, check.id).toMatch(EVIDENCE);
    for (const message of failed.map((check) => check.message)) expect(message).not.toMatch(/\bexpected\b/i);
    // Nothing the student sees may give the answer away: passed checks' messages and metrics included.
    const shown = [
      ...verdict.checks.map((check) => check.message),
      ...Object.entries(verdict.metrics).map(([, m]) => `${m.label} ${m.value}`),
    ].join("\n");
    for (const pattern of c.forbidden) expect(shown).not.toMatch(pattern);
  });

  it.each(exercises.map((e) => [e.id, e] as const))("%s: everything answered wrong at once still tells nothing", (_id, exercise) => {
    const wrong = Object.fromEntries(cases.filter((c) => c.exerciseId === exercise.id).map((c) => [c.question, c.wrong] as const));
    const verdict = grade(exercise, { ...correctAnswers(exercise), ...wrong });
    expect(verdict.status).toBe("failed");
    const shown = [
      ...verdict.checks.map((check) => check.message),
      ...Object.values(verdict.metrics).map((m) => `${m.label} ${m.value}`),
    ].join("\n");
    for (const pattern of cases.filter((c) => c.exerciseId === exercise.id && wrong[c.question] !== undefined).flatMap((c) => c.forbidden))
      expect(shown).not.toMatch(pattern);
  });
});
