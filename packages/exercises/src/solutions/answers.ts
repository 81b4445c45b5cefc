import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SubmissionPayload } from "@stepwise/core/contracts";

export interface AnswerSolutionSet {
  /** Answers that pass every check. */
  correct: SubmissionPayload;
  /** Answers that fail, the check they fail, and why they must. */
  wrong: SubmissionPayload;
  wrongFails: string;
  wrongFailsBecause: string;
}

const read = (id: string, which: "correct" | "wrong") =>
  SubmissionPayload.parse(JSON.parse(readFileSync(join(import.meta.dirname, "answers", `${id}.${which}.json`), "utf8")));

const WRONG: Record<string, [check: string, because: string]> = {
  "mnist-define-problem": ["task", "ten digit classes make a multiclass problem, not a binary one"],
  "imdb-define-problem": ["target", "the labels are positive/negative sentiment; the dataset has no star ratings"],
  "credit-define-problem": ["classes", "`default` takes two values, 0 and 1"],
  "mnist-choose-metric": ["metric", "MNIST's classes are balanced: accuracy is meaningful"],
  "imdb-choose-metric": ["metric", "mean absolute error is a regression metric"],
  "credit-choose-metric": ["metric", "mean absolute error measures distances between numbers; `default` is a class"],
  "mnist-evaluation-protocol": ["validation-fraction", "holding out 60% starves training"],
  "imdb-evaluation-protocol": ["protocol", "25,000 training reviews are plenty for a hold-out set"],
  "credit-evaluation-protocol": ["protocol", "1,600 training rows are too few for a single hold-out set"],
  "mnist-prepare-data": ["scale", "raw bytes reach 255"],
  "imdb-prepare-data": ["vocabulary-size", "1,000 words cover only 76% of the training text"],
  "credit-prepare-data": ["fit-on-train", "statistics fitted on all rows leak the test rows"],
  "houses-define-problem": ["task", "a price is a continuous number: regression, not classes"],
  "houses-choose-metric": ["metric", "a regression target has no classes to be accurate about: mean absolute error"],
  "houses-evaluation-protocol": ["protocol", "2,000 training rows are too few for a single hold-out set"],
  "houses-prepare-data": ["numeric-scale", "unscaled, areas in the hundreds and years in the thousands swamp the 0/1 columns"],
};

/** Correct and wrong answer sets per answer exercise; a test grades every one of them. */
export const answerSolutions: Readonly<Record<string, AnswerSolutionSet>> = Object.fromEntries(
  Object.entries(WRONG).map(([id, [check, because]]) => [
    id,
    { correct: read(id, "correct"), wrong: read(id, "wrong"), wrongFails: check, wrongFailsBecause: because },
  ]),
);
