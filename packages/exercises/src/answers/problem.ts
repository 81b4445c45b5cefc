import type { DatasetRef } from "@stepwise/core/contracts";
import { answerFacts } from "./facts";
import { check, number, type RuleInput, type RuleResult, text } from "./types";

const INPUT: Record<DatasetRef["kind"], { value: string; words: string }> = {
  mnist: { value: "images", words: "a 28×28 grey-scale image" },
  imdb: { value: "text", words: "the text of one review" },
  csv: { value: "table", words: "one row of the table" },
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

/** Step 1: input, target, task type and class count, against the facts measured from the training data. */
export function gradeDefineProblem({ exercise, answers, options }: RuleInput): RuleResult {
  const facts = answerFacts(exercise.dataset, options);
  const input = INPUT[exercise.dataset.kind];
  const target = expectedTarget(exercise.dataset);
  const task = text(answers, "task");
  const classes = number(answers, "classes");
  const expectedClasses = facts.task === "regression" ? 0 : facts.classes;
  const taskWhy =
    facts.task === "regression"
      ? "the target is a continuous number"
      : `the training labels take ${facts.classes} distinct values`;
  return {
    checks: [
      check(
        "input",
        text(answers, "input") === input.value,
        text(answers, "input") === input.value ? `Right: one example is ${input.words}.` : `One example of this dataset is ${input.words}; look at a few examples on the dataset page.`,
      ),
      check(
        "target",
        text(answers, "target") === target.value,
        text(answers, "target") === target.value ? `Right: you predict ${target.words}.` : `This dataset's labels are ${target.words}.`,
      ),
      check(
        "task",
        task === facts.task,
        task === facts.task
          ? `Right: ${taskWhy}, so this is ${TASK_WORDS[facts.task]}.`
          : `Expected ${TASK_WORDS[facts.task]}, got ${TASK_WORDS[task as keyof typeof TASK_WORDS]}: ${taskWhy}.`,
      ),
      check(
        "classes",
        classes === expectedClasses,
        classes === expectedClasses
          ? `Right: ${expectedClasses} classes.`
          : facts.task === "regression"
            ? `A regression target has no classes: expected 0, got ${classes}.`
            : `The training labels take ${expectedClasses} distinct values, you answered ${classes}.`,
      ),
    ],
    metrics: { classes: { label: "Classes in the training data", value: expectedClasses } },
  };
}
