import { z } from "zod";
import { NotFoundError, PreconditionError } from "../contracts/errors";
import type { Verdict } from "../contracts/verdict";
import { STEPS, type StepDefinition } from "./steps";

const attempts = z.number().int().min(0).describe("Graded attempts so far (invalid and error verdicts don't count)");

export const StepStatus = z.discriminatedUnion("state", [
  z.object({ state: z.literal("locked") }).strict(),
  z.object({ state: z.literal("open") }).strict(),
  z
    .object({
      state: z.literal("failed"),
      attempts,
      lastScore: z.number().min(0).max(1).describe("Score of the latest graded attempt"),
      lastSubmissionId: z.string().min(1),
    })
    .strict(),
  z
    .object({
      state: z.literal("passed"),
      attempts,
      score: z.number().min(0).max(1).describe("Best score of a passing attempt"),
      submissionId: z.string().min(1).describe("The submission that earned `score`"),
    })
    .strict(),
]);
export type StepStatus = z.infer<typeof StepStatus>;

/** A student's progress through one workflow track (one dataset), keyed by step id. */
export const WorkflowProgress = z.object({ steps: z.record(z.string(), StepStatus) }).strict();
export type WorkflowProgress = z.infer<typeof WorkflowProgress>;

export interface StepEvent {
  stepId: string;
  verdict: Pick<Verdict, "status" | "score">;
  submissionId: string;
}

/** Steps without prerequisites open, every other step locked. */
export function initialProgress(steps: readonly StepDefinition[] = STEPS): WorkflowProgress {
  return normalizeProgress({ steps: {} }, steps);
}

/**
 * Brings stored progress in line with the step list: steps it doesn't know yet start locked, and a
 * locked step whose prerequisites are all passed opens. Never locks a step again, so adding a step
 * to a running course can't take work away from a student.
 */
export function normalizeProgress(progress: WorkflowProgress, steps: readonly StepDefinition[] = STEPS): WorkflowProgress {
  const next: Record<string, StepStatus> = { ...progress.steps };
  for (const step of steps) next[step.id] ??= { state: "locked" };
  for (const step of steps) {
    const ready = step.prerequisites.every((id) => next[id]?.state === "passed");
    if (next[step.id]?.state === "locked" && ready) next[step.id] = { state: "open" };
  }
  return { steps: next };
}

export function canSubmit(progress: WorkflowProgress, stepId: string): boolean {
  const state = progress.steps[stepId]?.state;
  return state !== undefined && state !== "locked";
}

/**
 * The workflow's only transition. A pass records the best score and opens the steps it unblocks;
 * a graded failure counts an attempt; `invalid` and `error` verdicts change nothing (they cost the
 * student no attempt). A later, weaker attempt never lowers a passed step.
 */
export function advance(
  progress: WorkflowProgress,
  event: StepEvent,
  steps: readonly StepDefinition[] = STEPS,
): WorkflowProgress {
  const step = steps.find((s) => s.id === event.stepId);
  if (!step) {
    throw new NotFoundError(`step must be one of ${steps.map((s) => `"${s.id}"`).join(", ")}, got "${event.stepId}"`);
  }
  const current = normalizeProgress(progress, steps);
  const status = current.steps[step.id] ?? { state: "locked" };
  if (status.state === "locked") {
    const missing = step.prerequisites.filter((id) => current.steps[id]?.state !== "passed");
    throw new PreconditionError(`step "${step.id}" is locked: pass ${missing.map((id) => `"${id}"`).join(", ")} first`);
  }
  const { status: verdictStatus, score } = event.verdict;
  if (verdictStatus === "invalid" || verdictStatus === "error") return current;

  const used = status.state === "open" ? 1 : status.attempts + 1;
  let updated: StepStatus;
  if (status.state === "passed") {
    const better = verdictStatus === "passed" && score > status.score;
    updated = better
      ? { state: "passed", attempts: used, score, submissionId: event.submissionId }
      : { ...status, attempts: used };
  } else if (verdictStatus === "passed") {
    updated = { state: "passed", attempts: used, score, submissionId: event.submissionId };
  } else {
    updated = { state: "failed", attempts: used, lastScore: score, lastSubmissionId: event.submissionId };
  }
  return normalizeProgress({ steps: { ...current.steps, [step.id]: updated } }, steps);
}
