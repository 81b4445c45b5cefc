import type { Question } from "@stepwise/core/contracts";
import { describe, expect, it } from "vitest";
import { checkAnswers } from "./answers";

const questions: Question[] = [
  {
    id: "task",
    prompt: "Which kind of problem is it?",
    kind: "choice",
    options: [
      { value: "binary", label: "Binary" },
      { value: "multiclass", label: "Multiclass" },
    ],
  },
  { id: "classes", prompt: "How many classes?", kind: "number" },
  { id: "shuffle", prompt: "Shuffle before splitting?", kind: "boolean" },
  { id: "why", prompt: "Why?", kind: "text" },
];
const good = { task: "multiclass", classes: 10, shuffle: true, why: "Ten digits." };

describe("checkAnswers", () => {
  it("accepts one answer of the right kind per question", () => {
    expect(() => checkAnswers(questions, good)).not.toThrow();
  });

  it.each([
    [
      "a choice outside the options",
      { task: "regression" },
      /Which kind of problem is it\?" \(task\) expects one of "binary", "multiclass", got the text "regression"/,
    ],
    ["a number given as text", { classes: "10" }, /\(classes\) expects a number, got the text "10"/],
    ["a boolean given as a number", { shuffle: 1 }, /\(shuffle\) expects yes or no, got number 1/],
    ["an empty text answer", { why: "   " }, /\(why\) expects a written answer/],
    ["a missing answer", { why: undefined }, /\(why\) needs an answer, got none/],
    ["an unknown question id", { extra: "x" }, /no question "extra"; its questions are "task", "classes", "shuffle", "why"/],
  ])("rejects %s, naming the question", (_case, change, message) => {
    const answers = Object.fromEntries(Object.entries({ ...good, ...change }).filter(([, v]) => v !== undefined)) as Record<
      string,
      string | number | boolean
    >;
    expect(() => checkAnswers(questions, answers)).toThrow(message);
  });

  it("rejects no answers at all when there are questions, and accepts none when there are none", () => {
    expect(() => checkAnswers(questions, undefined)).toThrow(/needs an answer/);
    expect(() => checkAnswers([], undefined)).not.toThrow();
  });
});
