import { z } from "zod";
import { NotFoundError, PreconditionError } from "../contracts/errors";
import { type Verdict, VerdictStatus } from "../contracts/verdict";
import { STEPS, type StepDefinition } from "./steps";

const attempts = z.number().int().min(0).describe("Graded attempts so far (invalid and error verdicts don't count)");
const score = z.number().min(0).max(1);

export const StepStatus = z.discriminatedUnion("state", [
  z.object({ state: z.literal("locked") }).strict(),
  z.object({ state: z.literal("open") }).strict(),
  z
    .object({
      state: z.literal("submitted"),
      attempts,
      submissionId: z.string().min(1).describe("The submission being graded"),
    })
    .strict(),
  z
    .object({
      state: z.literal("graded"),
      attempts,
      submissionId: z.string().min(1).describe("The latest graded submission, whose verdict the student may not see yet"),
    })
    .strict()
    .describe("Graded, the result withheld from the student: it may be a pass, so it opens the next step as a pass would"),
  z
    .object({
      state: z.literal("failed"),
      attempts,
      lastScore: score.describe("Score of the latest graded attempt"),
      lastSubmissionId: z.string().min(1),
    })
    .strict(),
  z
    .object({
      state: z.literal("passed"),
      attempts,
      score: score.describe("Best score of a passing attempt (0 when an instructor passed the step)"),
      submissionId: z.string().min(1).nullable().describe("The submission that earned `score`; null when an instructor passed the step"),
    })
    .strict(),
]);
export type StepStatus = z.infer<typeof StepStatus>;

/** Answer values as a submission carries them (`SubmissionPayload.answers`). */
const Answers = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));

/**
 * What is known of one submission: its step, when it was made, and its current verdict (absent
 * while it is being graded). A regrade replaces the verdict; nothing else does.
 */
export const SubmissionRecord = z
  .object({
    stepId: z.string().min(1),
    at: z.number().describe("When it was submitted, ms since the epoch: breaks ties between equal scores"),
    verdict: z
      .object({
        status: VerdictStatus,
        score,
        withheld: z
          .boolean()
          .optional()
          .describe("The student may not see this verdict yet (a hidden check decided it): it counts as graded, neither passed nor failed"),
      })
      .strict()
      .optional(),
    answers: Answers.optional().describe("Its answers (steps 1–4): what the step hands to the next"),
  })
  .strict();
export type SubmissionRecord = z.infer<typeof SubmissionRecord>;

export const CourseMode = z
  .enum(["guided", "independent"])
  .describe("guided: a step opens once its prerequisite steps of the same project pass; independent: every step is open");
export type CourseMode = z.infer<typeof CourseMode>;

export const OverrideAction = z
  .enum(["open", "pass"])
  .describe("open: the step takes submissions whatever its prerequisites; pass: it counts as passed");
export type OverrideAction = z.infer<typeof OverrideAction>;

/**
 * A student's progress through one project (one dataset). `steps` is derived from the facts beside
 * it (submissions, overrides, mode) by `deriveSteps`; progress stored without `submissions` (older
 * form) keeps its graded step states as facts.
 */
export const WorkflowProgress = z
  .object({
    steps: z.record(z.string(), StepStatus),
    mode: CourseMode.optional().describe("Absent means guided"),
    submissions: z.record(z.string(), SubmissionRecord).optional().describe("By submission id"),
    overrides: z.record(z.string(), OverrideAction).optional().describe("An instructor's override, by step id"),
  })
  .strict();
export type WorkflowProgress = z.infer<typeof WorkflowProgress>;

/** A graded verdict on a submission; a second one for the same submission is a regrade and replaces the first. */
export interface StepEvent {
  type?: "verdict";
  stepId: string;
  verdict: Pick<Verdict, "status" | "score"> & { withheld?: boolean };
  submissionId: string;
  /** When the submission was made; defaults to when it was first seen (0 for a verdict without a submitted event). */
  at?: number;
  answers?: SubmissionRecord["answers"];
}

export type ProjectEvent =
  | StepEvent
  | { type: "submitted"; stepId: string; submissionId: string; at: number; answers?: SubmissionRecord["answers"] }
  | { type: "override"; stepId: string; action: OverrideAction };

/** Verdicts that cost no attempt: the submission counts as if never graded (invalid) or is retried (error). */
const UNGRADED: ReadonlySet<string> = new Set(["invalid", "error"]);

/** Steps without prerequisites open, every other step locked (every step open in an independent course). */
export function initialProgress(steps: readonly StepDefinition[] = STEPS, mode?: CourseMode): WorkflowProgress {
  return deriveSteps({ steps: {}, submissions: {}, ...(mode ? { mode } : {}) }, steps);
}

/** Brings progress in line with the step list and its facts: the one place step states are decided. */
export function normalizeProgress(progress: WorkflowProgress, steps: readonly StepDefinition[] = STEPS): WorkflowProgress {
  return deriveSteps(progress, steps);
}

/** Earlier submission first, then the smaller id: an order that does not depend on when verdicts arrived. */
const earlier = (a: [string, SubmissionRecord], b: [string, SubmissionRecord]) =>
  a[1].at - b[1].at || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/** The state a step's own submissions give it, before locking is considered; null when it has none. */
function statusFromRecords(records: Array<[string, SubmissionRecord]>): StepStatus | null {
  const graded = records.filter(([, r]) => r.verdict !== undefined && !UNGRADED.has(r.verdict.status)).sort(earlier);
  const pending = records.filter(([, r]) => r.verdict === undefined).sort(earlier);
  const withheld = graded.filter(([, r]) => r.verdict?.withheld === true);
  const passes = graded.filter(([, r]) => r.verdict?.status === "passed" && r.verdict.withheld !== true);
  const best = passes.reduce<[string, SubmissionRecord] | undefined>(
    (top, entry) => ((entry[1].verdict?.score ?? 0) > (top?.[1].verdict?.score ?? -1) ? entry : top),
    undefined,
  );
  if (best) return { state: "passed", attempts: graded.length, score: best[1].verdict?.score ?? 0, submissionId: best[0] };
  const waiting = pending.at(-1);
  if (waiting) return { state: "submitted", attempts: graded.length, submissionId: waiting[0] };
  // A withheld verdict may be a pass: saying "failed" (or locking what a pass opens) would tell.
  const hidden = withheld.at(-1);
  if (hidden) return { state: "graded", attempts: graded.length, submissionId: hidden[0] };
  const last = graded.at(-1);
  if (last) return { state: "failed", attempts: graded.length, lastScore: last[1].verdict?.score ?? 0, lastSubmissionId: last[0] };
  return null;
}

/**
 * Decides every step's state from the facts. A step's own passes make it passed (a pass is never
 * taken away by a later step's state); a step an instructor passed is passed; otherwise a step whose
 * prerequisites have not all passed is locked in a guided course (unless an instructor opened it),
 * and an unlocked step is submitted, failed or open by its own submissions. A pure function of the
 * facts, so any order of events that leaves the same facts gives the same states.
 */
export function deriveSteps(progress: WorkflowProgress, steps: readonly StepDefinition[] = STEPS): WorkflowProgress {
  const facts = progress.submissions;
  const byStep = new Map<string, Array<[string, SubmissionRecord]>>();
  for (const entry of Object.entries(facts ?? {})) byStep.set(entry[1].stepId, [...(byStep.get(entry[1].stepId) ?? []), entry]);
  const decided = new Map<string, StepStatus>();
  const decide = (step: StepDefinition, seen: ReadonlySet<string>): StepStatus => {
    const known = decided.get(step.id);
    if (known) return known;
    if (seen.has(step.id)) return { state: "locked" };
    const own = facts ? statusFromRecords(byStep.get(step.id) ?? []) : legacyStatus(progress.steps[step.id]);
    const override = progress.overrides?.[step.id];
    let status: StepStatus;
    if (own?.state === "passed") status = own;
    else if (override === "pass")
      status = { state: "passed", attempts: own && "attempts" in own ? own.attempts : 0, score: 0, submissionId: null };
    else {
      const after = new Set([...seen, step.id]);
      const ready = step.prerequisites.every((id) => {
        const pre = steps.find((s) => s.id === id);
        return pre !== undefined && clears(decide(pre, after));
      });
      const unlocked = ready || progress.mode === "independent" || override === "open";
      status = !unlocked ? { state: "locked" } : (own ?? { state: "open" });
    }
    decided.set(step.id, status);
    return status;
  };
  const next: Record<string, StepStatus> = { ...progress.steps };
  for (const step of steps) next[step.id] = decide(step, new Set());
  return { ...progress, steps: next };
}

/**
 * Whether a step's state opens the steps after it: a pass, or a graded attempt whose verdict is
 * withheld from the student (it may be a pass; a lock would reveal that it is not).
 */
export function clears(status: StepStatus | undefined): boolean {
  return status?.state === "passed" || status?.state === "graded";
}

/** Graded states of progress stored before it kept its facts; anything else is decided afresh. */
function legacyStatus(status: StepStatus | undefined): StepStatus | null {
  return status?.state === "passed" || status?.state === "failed" ? status : null;
}

export function canSubmit(progress: WorkflowProgress, stepId: string): boolean {
  const state = progress.steps[stepId]?.state;
  return state !== undefined && state !== "locked";
}

/** The prerequisite steps of `stepId` not yet passed, in workflow order. */
export function missingPrerequisites(
  progress: WorkflowProgress,
  stepId: string,
  steps: readonly StepDefinition[] = STEPS,
): StepDefinition[] {
  const step = steps.find((s) => s.id === stepId);
  return steps.filter((s) => step?.prerequisites.includes(s.id) && !clears(progress.steps[s.id]));
}

/**
 * Why a step is locked, in the student's terms ("Pass step 4 (Prepare your data) on MNIST first");
 * null when it is not locked. `project`: the dataset's name, when the student works on several.
 */
export function lockReason(
  progress: WorkflowProgress,
  stepId: string,
  project?: string,
  steps: readonly StepDefinition[] = STEPS,
): string | null {
  if (progress.steps[stepId]?.state !== "locked") return null;
  const missing = missingPrerequisites(progress, stepId, steps).map((s) => `step ${s.number} (${s.title})`);
  const where = project ? ` on ${project}` : "";
  return missing.length > 0 ? `Pass ${missing.join(" and ")}${where} first.` : `This step${where} is locked.`;
}

function findStep(steps: readonly StepDefinition[], stepId: string): StepDefinition {
  const step = steps.find((s) => s.id === stepId);
  if (!step) throw new NotFoundError(`step must be one of ${steps.map((s) => `"${s.id}"`).join(", ")}, got "${stepId}"`);
  return step;
}

/**
 * Records one event, without asking whether the step was open: the fold over what the database
 * already holds (a course switched to guided keeps the work done before). `advance` is the gate.
 */
export function record(progress: WorkflowProgress, event: ProjectEvent, steps: readonly StepDefinition[] = STEPS): WorkflowProgress {
  const step = findStep(steps, event.stepId);
  if (event.type === "override") return deriveSteps({ ...progress, overrides: { ...progress.overrides, [step.id]: event.action } }, steps);
  const submissions = { ...progress.submissions };
  const before = submissions[event.submissionId];
  const answers = event.answers ?? before?.answers;
  // Without a time, a new submission counts as made after every one recorded (arrival order).
  const arrival = Math.max(0, ...Object.values(submissions).map((r) => r.at + 1));
  const base = { stepId: step.id, at: before?.at ?? event.at ?? arrival, ...(answers ? { answers } : {}) };
  if (event.type === "submitted") {
    // A verdict that arrived first is kept: "submitted" never undoes grading.
    submissions[event.submissionId] = { ...base, at: event.at, ...(before?.verdict ? { verdict: before.verdict } : {}) };
  } else if (UNGRADED.has(event.verdict.status)) {
    // Costs no attempt and leaves nothing pending: the submission no longer counts.
    delete submissions[event.submissionId];
  } else {
    const withheld = event.verdict.withheld === true ? { withheld: true } : {};
    submissions[event.submissionId] = { ...base, verdict: { status: event.verdict.status, score: event.verdict.score, ...withheld } };
  }
  return deriveSteps({ ...progress, submissions }, steps);
}

/**
 * The workflow's transition for a new submission or verdict: refuses a step that is locked (and
 * says what to pass first), then records the event. A regrade of a submission already recorded is
 * always accepted. A pass records the best score and opens the steps it unblocks; a graded failure
 * counts an attempt; `invalid` and `error` verdicts cost no attempt. A weaker attempt never lowers a
 * passed step.
 */
export function advance(progress: WorkflowProgress, event: ProjectEvent, steps: readonly StepDefinition[] = STEPS): WorkflowProgress {
  const step = findStep(steps, event.stepId);
  const current = deriveSteps(progress, steps);
  const known = event.type !== "override" && current.submissions?.[event.submissionId] !== undefined;
  if (event.type !== "override" && !known && current.steps[step.id]?.state === "locked") {
    const missing = missingPrerequisites(current, step.id, steps);
    throw new PreconditionError(`step "${step.id}" is locked: pass ${missing.map((s) => `"${s.id}"`).join(", ")} first`);
  }
  return record(current, event, steps);
}
