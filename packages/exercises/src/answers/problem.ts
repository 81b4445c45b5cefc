import type { DatasetRef } from "@stepwise/core/contracts";
import { answerFacts } from "./facts";
import { check, number, type RuleInput, type RuleResult, text } from "./types";

/**
 * Feedback on a wrong answer points at the evidence on the data panel and explains the concept behind
 * the answer given; it never names the expected answer, which the student infers from the evidence.
 */

const INPUT: Record<DatasetRef["kind"], { value: string; words: string; evidence: string }> = {
  mnist: { value: "images", words: "a 28×28 grey-scale image", evidence: "the training digits on the data panel" },
  imdb: { value: "text", words: "the text of one review", evidence: "the training reviews on the data panel" },
  csv: { value: "table", words: "one row of the table", evidence: "the first training rows on the data panel" },
};

/** Where the labels show, worded so that it does not name the target itself. */
const TARGET_EVIDENCE: Record<DatasetRef["kind"], string> = {
  mnist: "Look at the number under each training example on the data panel: what does it say about the picture above it?",
  imdb: "Look at the badge on each training review on the data panel: what does it say about the review?",
  csv: "Read the description above: which column records the outcome you would like to know before it happens?",
};

function expectedTarget(dataset: DatasetRef): { value: string; words: string } {
  switch (dataset.kind) {
    case "mnist":
      return { value: "digit", words: "the digit the image shows" };
    case "imdb":
      return { value: "sentiment", words: "whether the review is positive or negative" };
    case "csv":
      return { value: dataset.target, words: `the column \`${dataset.target}\`` };
  }
}

const TASK_WORDS = { binary: "binary classification", multiclass: "multiclass classification", regression: "regression" } as const;
type Task = keyof typeof TASK_WORDS;

/** What the answer given would mean, so the student can test it against the evidence. */
const TASK_CONCEPT: Record<Task, string> = {
  binary: "Binary classification means every label is one of exactly two classes",
  multiclass: "Multiclass classification means every label is one of more than two classes",
  regression: "Regression means the label is a continuous number, where being close counts",
};

function labelEvidence(dataset: DatasetRef): string {
  return dataset.kind === "csv"
    ? "the distinct values of the column you predict, in the column list on the data panel"
    : "the class balance table on the data panel: it has one row per distinct training label";
}

/** Step 1: input, target, task type and class count, against the facts measured from the training data. */
export function gradeDefineProblem({ exercise, answers, options }: RuleInput): RuleResult {
  const facts = answerFacts(exercise.dataset, options);
  const input = INPUT[exercise.dataset.kind];
  const target = expectedTarget(exercise.dataset);
  const task = text(answers, "task");
  const classes = number(answers, "classes");
  const expectedClasses = facts.task === "regression" ? 0 : facts.classes;
  const evidence = labelEvidence(exercise.dataset);
  const taskOk = task === facts.task;
  const classesOk = classes === expectedClasses;
  return {
    checks: [
      check(
        "input",
        text(answers, "input") === input.value,
        text(answers, "input") === input.value
          ? `Right: one example is ${input.words}.`
          : `One input example is what the model receives to make one prediction. Look at ${input.evidence}: what does one of them consist of?`,
      ),
      check(
        "target",
        text(answers, "target") === target.value,
        text(answers, "target") === target.value
          ? `Right: you predict ${target.words}.`
          : `The target is what every training example is labelled with, the thing the model must predict. ${TARGET_EVIDENCE[exercise.dataset.kind]}`,
      ),
      check(
        "task",
        taskOk,
        taskOk
          ? `Right: this is ${TASK_WORDS[facts.task]}.`
          : `${TASK_CONCEPT[task as Task]}. Does that fit the labels? Look at ${evidence}.`,
      ),
      check(
        "classes",
        classesOk,
        classesOk
          ? "Right: that is the number of distinct labels in the training data."
          : `You answered ${classes}. A class is one distinct value of a categorical target; a continuous target has none (the question says what to enter then). Count them in ${evidence}.`,
      ),
    ],
    // The measured count is the answer to the last question: it is shown only once that is answered right.
    ...(classesOk ? { metrics: { classes: { label: "Classes in the training data", value: expectedClasses } } } : {}),
  };
}
