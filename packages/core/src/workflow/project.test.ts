import { describe, expect, it } from "vitest";
import { PreconditionError } from "../contracts/errors";
import type { VerdictStatus } from "../contracts/verdict";
import { advance, type CourseMode, initialProgress, lockReason, type ProjectEvent, WorkflowProgress } from "./progress";
import { foldProject, handoffOf, projectKey, projectLabel, stepViews, summarize } from "./project";
import { STEPS } from "./steps";

const IDS = STEPS.map((s) => s.id);
const states = (progress: WorkflowProgress): string[] => IDS.map((id) => progress.steps[id]?.state ?? "missing");
const submitted = (step: number, id: string, at: number, answers?: Record<string, string>): ProjectEvent => ({
  type: "submitted",
  stepId: IDS[step - 1] ?? "",
  submissionId: id,
  at,
  ...(answers ? { answers } : {}),
});
const verdict = (step: number, id: string, status: VerdictStatus, score: number): ProjectEvent => ({
  stepId: IDS[step - 1] ?? "",
  submissionId: id,
  verdict: { status, score },
});

/** Every ordering of a small list: the fold must not care which came first. */
function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

describe("foldProject", () => {
  it.each<[string, CourseMode, ProjectEvent[], string[]]>([
    ["a fresh guided project opens step 1 only", "guided", [], ["open", "locked", "locked", "locked", "locked", "locked", "locked"]],
    ["a fresh independent project opens every step", "independent", [], Array<string>(7).fill("open")],
    [
      "a submission being graded is submitted",
      "guided",
      [submitted(1, "a", 1)],
      ["submitted", "locked", "locked", "locked", "locked", "locked", "locked"],
    ],
    [
      "a pass opens the next step",
      "guided",
      [submitted(1, "a", 1), verdict(1, "a", "passed", 1)],
      ["passed", "open", "locked", "locked", "locked", "locked", "locked"],
    ],
    [
      "a failure opens nothing",
      "guided",
      [submitted(1, "a", 1), verdict(1, "a", "failed", 0.4)],
      ["failed", "locked", "locked", "locked", "locked", "locked", "locked"],
    ],
    [
      "an invalid verdict leaves the step open",
      "guided",
      [submitted(1, "a", 1), verdict(1, "a", "invalid", 0)],
      ["open", "locked", "locked", "locked", "locked", "locked", "locked"],
    ],
    [
      "a regrade from pass to fail locks again what the pass opened",
      "guided",
      [submitted(1, "a", 1), verdict(1, "a", "passed", 1), verdict(1, "a", "failed", 0.3)],
      ["failed", "locked", "locked", "locked", "locked", "locked", "locked"],
    ],
    [
      // Its pass still counts, so what it opened stays open.
      "a later step's pass is never taken away",
      "guided",
      [
        submitted(1, "a", 1),
        verdict(1, "a", "passed", 1),
        submitted(2, "b", 2),
        verdict(2, "b", "passed", 1),
        verdict(1, "a", "failed", 0),
      ],
      ["failed", "passed", "open", "locked", "locked", "locked", "locked"],
    ],
    [
      "an instructor opens a locked step",
      "guided",
      [{ type: "override", stepId: "overfit", action: "open" }],
      ["open", "locked", "locked", "locked", "locked", "open", "locked"],
    ],
    [
      "an instructor passes a step and its successor opens",
      "guided",
      [{ type: "override", stepId: "define-problem", action: "pass" }],
      ["passed", "open", "locked", "locked", "locked", "locked", "locked"],
    ],
    [
      "independent mode keeps work on any step",
      "independent",
      [submitted(5, "m", 1), verdict(5, "m", "failed", 0.2)],
      ["open", "open", "open", "open", "failed", "open", "open"],
    ],
  ])("%s", (_name, mode, events, expected) => {
    const progress = foldProject(events, mode);
    expect(states(progress)).toEqual(expected);
    expect(WorkflowProgress.parse(progress)).toEqual(progress);
  });

  it("gives the same project whatever order submissions, verdicts and regrades arrive in", () => {
    const events: ProjectEvent[] = [
      submitted(1, "a", 1, { task: "multiclass" }),
      verdict(1, "a", "passed", 0.8),
      submitted(1, "b", 2, { task: "multiclass" }),
      verdict(1, "b", "passed", 0.8),
      submitted(2, "c", 3),
      verdict(2, "c", "failed", 0.5),
    ];
    const results = permutations(events).map((order) => foldProject(order, "guided"));
    for (const result of results) expect(result).toEqual(results[0]);
    // Equal scores: the earlier submission holds the pass, whichever verdict came first.
    expect(results[0]?.steps["define-problem"]).toEqual({ state: "passed", attempts: 2, score: 0.8, submissionId: "a" });
    expect(results[0]?.steps["choose-metric"]).toEqual({ state: "failed", attempts: 1, lastScore: 0.5, lastSubmissionId: "c" });
  });

  it("a verdict that arrives before its submitted event is not undone by it", () => {
    const progress = foldProject([verdict(1, "a", "passed", 1), submitted(1, "a", 5)], "guided");
    expect(progress.steps["define-problem"]).toMatchObject({ state: "passed", submissionId: "a" });
  });
});

describe("handoff", () => {
  it("carries each passing step's choices and models to the next", () => {
    const answers: Array<Record<string, string>> = [
      { task: "multiclass" },
      { metric: "accuracy" },
      { protocol: "holdout" },
      { pixelScaling: "divide255" },
    ];
    const events = IDS.flatMap((_, i) => [submitted(i + 1, `s${i + 1}`, i, answers[i]), verdict(i + 1, `s${i + 1}`, "passed", 1)]);
    // A failing step-5 attempt hands nothing on.
    events.push(submitted(5, "weak", 99), verdict(5, "weak", "failed", 0.1));
    expect(handoffOf(foldProject(events, "guided"))).toEqual({
      taskType: "multiclass",
      metric: "accuracy",
      protocol: { protocol: "holdout" },
      preparation: { pixelScaling: "divide255" },
      baselineModel: "s5",
      overfitModel: "s6",
      finalModel: "s7",
    });
  });

  it("is empty before anything passes", () => {
    expect(handoffOf(foldProject([submitted(1, "a", 1, { task: "binary" }), verdict(1, "a", "failed", 0)], "guided"))).toEqual({});
  });
});

describe("lock reasons and the summary", () => {
  it("name the step to pass and the project", () => {
    const progress = foldProject([submitted(1, "a", 1), verdict(1, "a", "passed", 1)], "guided");
    expect(lockReason(progress, "evaluation-protocol", "MNIST")).toBe("Pass step 2 (Choose a measure of success) on MNIST first.");
    expect(lockReason(progress, "choose-metric", "MNIST")).toBeNull();
    const views = stepViews(progress, "MNIST");
    expect(views.map((v) => v.reason === null)).toEqual([true, true, false, false, false, false, false]);
    expect(views[4]?.reason).toBe("Pass step 4 (Prepare your data) on MNIST first.");
    expect(summarize(views)).toEqual({ passed: 1, total: 7, next: { id: "choose-metric", number: 2, title: STEPS[1]?.title } });
  });

  it("best score is the best graded attempt, pass or not", () => {
    const progress = foldProject(
      [submitted(1, "a", 1), verdict(1, "a", "failed", 0.6), submitted(1, "b", 2), verdict(1, "b", "failed", 0.2)],
      "guided",
    );
    expect(stepViews(progress, "IMDB")[0]).toMatchObject({ bestScore: 0.6, status: { state: "failed", lastScore: 0.2 } });
  });

  it("has no next step once all seven passed", () => {
    const events = IDS.flatMap((_, i) => [submitted(i + 1, `s${i}`, i), verdict(i + 1, `s${i}`, "passed", 1)]);
    expect(summarize(stepViews(foldProject(events, "guided"), "MNIST"))).toEqual({ passed: 7, total: 7, next: null });
  });
});

describe("advance as the gate", () => {
  it("refuses a new submission to a locked step but accepts a regrade of a recorded one", () => {
    const progress = foldProject(
      [submitted(1, "a", 1), verdict(1, "a", "passed", 1), submitted(2, "b", 2), verdict(2, "b", "failed", 0.5)],
      "guided",
    );
    const relocked = advance(progress, verdict(1, "a", "failed", 0));
    expect(relocked.steps["choose-metric"]).toEqual({ state: "locked" });
    expect(() => advance(relocked, submitted(2, "c", 3))).toThrow(PreconditionError);
    expect(() => advance(relocked, submitted(2, "c", 3))).toThrow('step "choose-metric" is locked: pass "define-problem" first');
    expect(advance(relocked, verdict(2, "b", "passed", 1)).steps["choose-metric"]).toMatchObject({ state: "passed", submissionId: "b" });
  });

  it("never refuses in an independent course", () => {
    expect(advance(initialProgress(STEPS, "independent"), submitted(7, "x", 1)).steps.regularize).toMatchObject({ state: "submitted" });
  });
});

describe("projects", () => {
  it.each([
    [{ kind: "mnist" } as const, "mnist", "MNIST"],
    [{ kind: "imdb", vocabularySize: 10_000 } as const, "imdb", "IMDB"],
    [{ kind: "csv", file: "data/credit.csv", target: "default", task: "binary" } as const, "csv:data/credit.csv:default", "credit.csv"],
  ])("%o is project %s named %s", (dataset, key, label) => {
    expect(projectKey(dataset)).toBe(key);
    expect(projectLabel(dataset)).toBe(label);
  });
});

describe("a verdict withheld from the student", () => {
  const withheld = (step: number, id: string, status: VerdictStatus, score: number): ProjectEvent => ({
    stepId: IDS[step - 1] ?? "",
    submissionId: id,
    verdict: { status, score, withheld: true },
  });
  const fourPassed = [1, 2, 3, 4].flatMap((n) => [submitted(n, `p${n}`, n), verdict(n, `p${n}`, "passed", 1)]);
  const project = (status: VerdictStatus, score: number) =>
    foldProject([...fourPassed, submitted(5, "h", 10), withheld(5, "h", status, score)], "guided");

  it.each<[VerdictStatus, number]>([
    ["passed", 0.9],
    ["failed", 0.2],
    ["timed_out", 0],
  ])("a withheld %s looks the same as any other graded attempt: step graded, the next step open, no score", (status, score) => {
    const progress = project(status, score);
    expect(states(progress).slice(4)).toEqual(["graded", "open", "locked"]);
    expect(progress.steps["beat-baseline"]).toEqual({ state: "graded", attempts: 1, submissionId: "h" });
    const views = stepViews(progress, "MNIST");
    expect(views[4]).toMatchObject({ bestScore: null, reason: null });
    expect(summarize(views).next).toMatchObject({ number: 6 });
    expect(handoffOf(progress).baselineModel).toBeUndefined();
  });

  it("leaves invalid and error verdicts costing nothing, withheld or not", () => {
    expect(states(project("invalid", 0)).slice(4)).toEqual(["open", "locked", "locked"]);
  });

  it("gives way to the real state once shown: a regrade of the same submission without the flag", () => {
    const shown = foldProject(
      [...fourPassed, submitted(5, "h", 10), withheld(5, "h", "failed", 0.2), verdict(5, "h", "failed", 0.2)],
      "guided",
    );
    expect(states(shown).slice(4)).toEqual(["failed", "locked", "locked"]);
  });

  it("lets a shown pass beside a withheld attempt keep the step passed with its score", () => {
    const progress = foldProject(
      [...fourPassed, submitted(5, "a", 10), verdict(5, "a", "passed", 0.8), submitted(5, "h", 11), withheld(5, "h", "passed", 0.95)],
      "guided",
    );
    expect(progress.steps["beat-baseline"]).toEqual({ state: "passed", attempts: 2, score: 0.8, submissionId: "a" });
    expect(stepViews(progress, "MNIST")[4]?.bestScore).toBe(0.8);
  });
});
