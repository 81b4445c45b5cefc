import type { DatasetRef } from "../contracts/exercise";
import {
  clears,
  type CourseMode,
  initialProgress,
  lockReason,
  type ProjectEvent,
  record,
  type StepStatus,
  type WorkflowProgress,
} from "./progress";
import { STEPS, type StepDefinition } from "./steps";

/**
 * What each step hands to the next: the choices of the passing answers of steps 1–4 and the passing
 * models of steps 5–7 (by submission id). Absent until the step passes.
 */
export interface Handoff {
  /** Step 1's `task`: binary, multiclass or regression. */
  taskType?: string;
  /** Step 2's `metric`. */
  metric?: string;
  /** Step 3's answers: protocol, folds, validation fraction. */
  protocol?: Record<string, string | number | boolean>;
  /** Step 4's answers: how the data is prepared. */
  preparation?: Record<string, string | number | boolean>;
  /** The latest passing step-5 model (beats the baseline). */
  baselineModel?: string;
  /** The latest passing step-6 model (overfits), which step 7 starts from and is compared with. */
  overfitModel?: string;
  /** The latest passing step-7 model. */
  finalModel?: string;
}

/**
 * Which project a dataset belongs to: one per MNIST, IMDB and each CSV file and target. It is the
 * one answer to "is this the same data": how the data is encoded (IMDB's vocabulary, a table's task
 * or dropped columns) does not make other data.
 */
export function projectKey(dataset: DatasetRef): string {
  return dataset.kind === "csv" ? `csv:${dataset.file}:${dataset.target}` : dataset.kind;
}

/** Whether two references name the same data (`projectKey`). */
export const sameData = (a: DatasetRef, b: DatasetRef): boolean => projectKey(a) === projectKey(b);

/** The dataset's name in the student's terms: "MNIST", "IMDB", "credit.csv". */
export function projectLabel(dataset: DatasetRef): string {
  if (dataset.kind === "mnist") return "MNIST";
  if (dataset.kind === "imdb") return "IMDB";
  return dataset.file.split("/").at(-1) ?? dataset.file;
}

/** Folds a project's events, in any order that leaves the same facts, into its progress. */
export function foldProject(events: readonly ProjectEvent[], mode: CourseMode, steps: readonly StepDefinition[] = STEPS): WorkflowProgress {
  return events.reduce((progress, event) => record(progress, event, steps), initialProgress(steps, mode));
}

export function handoffOf(progress: WorkflowProgress): Handoff {
  const passing = (stepId: string) => {
    const status = progress.steps[stepId];
    return status?.state === "passed" && status.submissionId !== null ? status.submissionId : undefined;
  };
  const answers = (stepId: string) => {
    const id = passing(stepId);
    return id === undefined ? undefined : progress.submissions?.[id]?.answers;
  };
  const text = (value: unknown) => (typeof value === "string" ? value : undefined);
  // A model is handed on as the student left it: the latest passing submission of the step (the
  // step's score stays its best). The editor of the next step opens on it, and step 7 is compared
  // with exactly the step-6 model the student continued from.
  const latestPass = (stepId: string) => {
    const passes = Object.entries(progress.submissions ?? {}).filter(
      ([, r]) => r.stepId === stepId && r.verdict?.status === "passed" && r.verdict.withheld !== true,
    );
    return passes.sort(([a, x], [b, y]) => y.at - x.at || (a < b ? 1 : a > b ? -1 : 0))[0]?.[0] ?? passing(stepId);
  };
  const handoff: Handoff = {
    taskType: text(answers("define-problem")?.task),
    metric: text(answers("choose-metric")?.metric),
    protocol: answers("evaluation-protocol"),
    preparation: answers("prepare-data"),
    baselineModel: latestPass("beat-baseline"),
    overfitModel: latestPass("overfit"),
    finalModel: latestPass("regularize"),
  };
  return Object.fromEntries(Object.entries(handoff).filter(([, v]) => v !== undefined));
}

/** One step of a project as a student sees it. */
export interface StepView {
  id: string;
  number: number;
  title: string;
  status: StepStatus;
  /** Why the step is locked ("Pass step 4 (Prepare your data) on MNIST first."); null when it is not. */
  reason: string | null;
  /** Best score over the step's graded attempts; null before any. */
  bestScore: number | null;
}

export interface ProjectSummary {
  passed: number;
  total: number;
  /** The step to work on next: the first one not passed, graded (result withheld) or locked; null when there is none. */
  next: { id: string; number: number; title: string } | null;
}

function bestScore(progress: WorkflowProgress, stepId: string, status: StepStatus): number | null {
  // A withheld verdict's score is as hidden as its status.
  if (status.state === "graded") return null;
  const scores = Object.values(progress.submissions ?? {})
    .filter(
      (r) =>
        r.stepId === stepId &&
        r.verdict !== undefined &&
        r.verdict.withheld !== true &&
        r.verdict.status !== "invalid" &&
        r.verdict.status !== "error",
    )
    .map((r) => r.verdict?.score ?? 0);
  if (scores.length > 0) return Math.max(...scores);
  if (status.state === "passed") return status.score;
  return status.state === "failed" ? status.lastScore : null;
}

/** Every step of the project with its state, its lock reason and best score, in workflow order. */
export function stepViews(progress: WorkflowProgress, label: string, steps: readonly StepDefinition[] = STEPS): StepView[] {
  return steps.map((step) => {
    const status = progress.steps[step.id] ?? { state: "locked" };
    return {
      id: step.id,
      number: step.number,
      title: step.title,
      status,
      reason: lockReason(progress, step.id, label, steps),
      bestScore: bestScore(progress, step.id, status),
    };
  });
}

export function summarize(views: readonly StepView[]): ProjectSummary {
  const next = views.find((v) => !clears(v.status) && v.status.state !== "locked");
  return {
    passed: views.filter((v) => v.status.state === "passed").length,
    total: views.length,
    next: next ? { id: next.id, number: next.number, title: next.title } : null,
  };
}
