import { type DatasetRef, NotFoundError, type ProjectDecisions, PreconditionError, verdictWithheld } from "@stepwise/core/contracts";
import {
  type CourseMode,
  decisionsOf,
  foldProject,
  type Handoff,
  handoffOf,
  OverrideAction,
  type ProjectEvent,
  type ProjectSummary,
  projectKey,
  projectLabel,
  restrictSteps,
  STEPS,
  type StepDefinition,
  type StepView,
  stepViews,
  summarize,
  type WorkflowProgress,
} from "@stepwise/core/workflow";
import type { Db } from "./connection";
import { type Assignment, assignmentsForCourse, courseById } from "./courses";
import type { SubmissionRow } from "./rows";
import { submissionById, submissionsOfStudent } from "./submissions";

type StudentSubmission = Awaited<ReturnType<typeof submissionsOfStudent>>[number];

/** Where an assignment sits in the workflow: its step and the dataset the step works on. */
export interface AssignmentPlace {
  step: number;
  dataset: DatasetRef;
}

/**
 * Resolves an assignment's exercise (with its overrides: an uploaded CSV replaces the dataset) to its
 * place; null for an exercise no longer known. The exercises package's `assignmentPlace` is the one
 * to pass: the database package does not know the exercise catalogue.
 */
export type LocateAssignment = (assignment: Pick<Assignment, "exerciseId" | "overrides">) => AssignmentPlace | null;

/** A course's assignments grouped by dataset: one group per project, steps in workflow order. */
export interface ProjectGroup {
  key: string;
  label: string;
  dataset: DatasetRef;
  /** The workflow restricted to the steps the course assigns on this dataset. */
  steps: StepDefinition[];
  /** Assignments by step id (several may place the same step; the first by position is the step's page). */
  assignments: Map<string, Assignment[]>;
}

export interface ProjectStep extends StepView {
  /** The assignment a student opens for this step. */
  assignmentId: string;
  assignmentTitle: string;
  /** Every assignment placing this step (normally just `assignmentId`); submissions to any count. */
  assignmentIds: string[];
}

export interface Project {
  key: string;
  label: string;
  dataset: DatasetRef;
  mode: CourseMode;
  steps: ProjectStep[];
  summary: ProjectSummary;
  handoff: Handoff;
  progress: WorkflowProgress;
}

/** A project as the browser and `stepwise progress --json` show it: each step flattened, no raw facts. */
export function projectView(project: Project) {
  return {
    key: project.key,
    label: project.label,
    mode: project.mode,
    summary: project.summary,
    handoff: project.handoff,
    steps: project.steps.map((s) => ({
      id: s.id,
      number: s.number,
      title: s.title,
      state: s.status.state,
      attempts: "attempts" in s.status ? s.status.attempts : 0,
      bestScore: s.bestScore,
      reason: s.reason,
      assignmentId: s.assignmentId,
      assignmentTitle: s.assignmentTitle,
      /** An instructor's override of this step (`open` / `pass`), null without one. */
      override: project.progress.overrides?.[s.id] ?? null,
    })),
  };
}
export type ProjectView = ReturnType<typeof projectView>;

/** Groups assignments into projects, in the order their first assignment appears in the course. */
export function groupProjects(assignments: readonly Assignment[], locate: LocateAssignment): ProjectGroup[] {
  const groups = new Map<string, { dataset: DatasetRef; byStep: Map<string, Assignment[]> }>();
  for (const assignment of assignments) {
    const place = locate(assignment);
    const step = place ? STEPS.find((s) => s.number === place.step) : undefined;
    if (!place || !step) continue;
    const key = projectKey(place.dataset);
    const group = groups.get(key) ?? { dataset: place.dataset, byStep: new Map<string, Assignment[]>() };
    group.byStep.set(step.id, [...(group.byStep.get(step.id) ?? []), assignment]);
    groups.set(key, group);
  }
  return [...groups].map(([key, { dataset, byStep }]) => ({
    key,
    label: projectLabel(dataset),
    dataset,
    steps: restrictSteps(STEPS, (s) => byStep.has(s.id)),
    assignments: byStep,
  }));
}

/**
 * When the project is looked at: `now` (ms since the epoch) decides which verdicts are still
 * withheld from the student (`verdictWithheld`, the rule the web's student views apply); null counts
 * every verdict as it is (the grader's hand-over, which no student reads).
 */
export type ProjectTime = { now: number | null };

/**
 * One project's events from the database: each submission is submitted when it was made, and its
 * current verdict (if any) follows; a submission whose grading was cancelled or died without a
 * verdict leaves nothing. Only steps 1–4 carry answers (what they hand on).
 */
function projectEvents(
  group: ProjectGroup,
  facts: readonly StudentSubmission[],
  overrides: ReadonlyArray<{ stepId: string; action: string }>,
  time: ProjectTime,
): ProjectEvent[] {
  const stepOf = new Map<string, StepDefinition>();
  const deadlineOf = new Map<string, number | null>();
  for (const step of group.steps) {
    for (const a of group.assignments.get(step.id) ?? []) {
      stepOf.set(a.id, step);
      deadlineOf.set(a.id, a.deadline);
    }
  }
  const events: ProjectEvent[] = [];
  for (const fact of facts) {
    const step = stepOf.get(fact.assignmentId);
    if (!step) continue;
    const answers = step.kind === "training" ? undefined : fact.payload.answers;
    const submitted: ProjectEvent = {
      type: "submitted",
      stepId: step.id,
      submissionId: fact.id,
      at: fact.createdAt,
      ...(answers ? { answers } : {}),
    };
    const withheld =
      fact.verdict !== null &&
      time.now !== null &&
      verdictWithheld(fact.verdict, { deadline: deadlineOf.get(fact.assignmentId) ?? null, now: time.now });
    if (fact.verdict)
      events.push(submitted, {
        stepId: step.id,
        submissionId: fact.id,
        verdict: { status: fact.verdict.status, score: fact.verdict.score, ...(withheld ? { withheld } : {}) },
      });
    else if (fact.job?.status === "queued" || fact.job?.status === "running") events.push(submitted);
  }
  for (const { stepId, action } of overrides) {
    const parsed = OverrideAction.safeParse(action);
    if (parsed.success && group.steps.some((s) => s.id === stepId)) events.push({ type: "override", stepId, action: parsed.data });
  }
  return events;
}

function buildProject(group: ProjectGroup, mode: CourseMode, events: ProjectEvent[]): Project {
  const progress = foldProject(events, mode, group.steps);
  const views = stepViews(progress, group.label, group.steps);
  const steps = views.flatMap((view): ProjectStep[] => {
    const placed = group.assignments.get(view.id) ?? [];
    const first = placed[0];
    return first ? [{ ...view, assignmentId: first.id, assignmentTitle: first.title, assignmentIds: placed.map((a) => a.id) }] : [];
  });
  return {
    key: group.key,
    label: group.label,
    dataset: group.dataset,
    mode,
    steps,
    summary: summarize(views),
    handoff: handoffOf(progress),
    progress,
  };
}

/**
 * Every project of one student in one course, built from the database through the workflow engine:
 * the course's assignments grouped by dataset, the current verdicts of the student's submissions
 * and the instructor's overrides folded into each. What the course page shows, what
 * `submission.create` and `stepwise submit` gate on, and what `stepwise progress` prints.
 */
export async function courseProjects(
  db: Db,
  input: { courseId: string; userId: string; locate: LocateAssignment } & ProjectTime,
): Promise<Project[]> {
  const course = await courseById(db, input.courseId);
  if (!course) throw new NotFoundError(`No course with id "${input.courseId}"`);
  const groups = groupProjects(await assignmentsForCourse(db, input.courseId), input.locate);
  const ids = groups.flatMap((g) => [...g.assignments.values()].flat().map((a) => a.id));
  const [facts, overrides] = await Promise.all([
    submissionsOfStudent(db, { assignmentIds: ids, userId: input.userId }),
    db.kysely
      .selectFrom("step_overrides")
      .select(["project", "step_id", "action"])
      .where("course_id", "=", input.courseId)
      .where("user_id", "=", input.userId)
      .execute(),
  ]);
  return groups.map((group) =>
    buildProject(
      group,
      course.mode,
      projectEvents(
        group,
        facts,
        overrides.filter((o) => o.project === group.key).map((o) => ({ stepId: o.step_id, action: o.action })),
        input,
      ),
    ),
  );
}

/** The project and step an assignment belongs to, for one student; null when its exercise has no place in the workflow. */
export async function projectStepOf(
  db: Db,
  input: { assignment: Assignment; userId: string; locate: LocateAssignment } & ProjectTime,
): Promise<{ project: Project; step: ProjectStep } | null> {
  const projects = await courseProjects(db, {
    courseId: input.assignment.courseId,
    userId: input.userId,
    locate: input.locate,
    now: input.now,
  });
  for (const project of projects) {
    const step = project.steps.find((s) => s.assignmentIds.includes(input.assignment.id));
    if (step) return { project, step };
  }
  return null;
}

/**
 * What a guided project's steps 2–4 decided for a training step (metric, protocol, preparation, IMDB's vocabulary): the
 * engine's hand-over of the student's project. Undefined in an independent course, for steps 1–4 and
 * for an assignment outside the workflow: the exercise's own apply. The grader reads the true verdicts
 * (`now: null`); a step page reads them as the student sees them.
 */
export async function projectDecisions(
  db: Db,
  input: { assignment: Assignment; userId: string; locate: LocateAssignment } & ProjectTime,
): Promise<ProjectDecisions | undefined> {
  const placed = await projectStepOf(db, input);
  if (!placed || placed.project.mode !== "guided" || placed.step.number < 5) return undefined;
  const decisions = decisionsOf(placed.project.handoff);
  return Object.keys(decisions).length > 0 ? decisions : undefined;
}

/**
 * What the step before an assignment's step handed on to it, for one student: the submission the
 * engine records as that step's pass (`handoffOf`: its best passing attempt). Step 6 starts from the
 * step-5 model, step 7 from the step-6 model — where the editor opens, and what the grader compares
 * step 7 with. Null for other steps, or when the step before has not passed.
 */
export async function previousStepSubmission(
  db: Db,
  input: { assignment: Assignment; userId: string; locate: LocateAssignment },
): Promise<SubmissionRow | null> {
  // Every verdict as it is: callers showing it to a student check its visibility themselves.
  const placed = await projectStepOf(db, { ...input, now: null });
  if (!placed) return null;
  const { handoff } = placed.project;
  const id = placed.step.number === 6 ? handoff.baselineModel : placed.step.number === 7 ? handoff.overfitModel : undefined;
  return id === undefined ? null : submissionById(db, id);
}

/**
 * The gate of `submission.create` and `stepwise submit`: refuses a submission to a step that is
 * locked for this student, with the engine's reason, before anything is stored (so it costs no
 * attempt). An assignment outside the workflow is never locked.
 */
export async function assertStepOpen(
  db: Db,
  input: { assignment: Assignment; userId: string; locate: LocateAssignment; now: number },
): Promise<void> {
  const placed = await projectStepOf(db, input);
  if (placed?.step.status.state === "locked")
    throw new PreconditionError(placed.step.reason ?? `Step ${placed.step.number} on ${placed.project.label} is locked.`);
}

/** Removes an instructor's override of one step (undo); false when there was none. */
export async function clearStepOverride(
  db: Db,
  input: { courseId: string; userId: string; project: string; stepId: string },
): Promise<boolean> {
  const result = await db.kysely
    .deleteFrom("step_overrides")
    .where("course_id", "=", input.courseId)
    .where("user_id", "=", input.userId)
    .where("project", "=", input.project)
    .where("step_id", "=", input.stepId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Records an instructor's override of one step of one student's project (replacing an earlier one for that step). */
export async function setStepOverride(
  db: Db,
  input: { courseId: string; userId: string; project: string; stepId: string; action: OverrideAction; createdBy: string },
  now: number,
): Promise<void> {
  const row = {
    course_id: input.courseId,
    user_id: input.userId,
    project: input.project,
    step_id: input.stepId,
    action: input.action,
    created_by: input.createdBy,
    created_at: now,
  };
  await db.kysely
    .insertInto("step_overrides")
    .values(row)
    .onConflict((oc) =>
      oc
        .columns(["course_id", "user_id", "project", "step_id"])
        .doUpdateSet({ action: row.action, created_by: row.created_by, created_at: row.created_at }),
    )
    .execute();
}
