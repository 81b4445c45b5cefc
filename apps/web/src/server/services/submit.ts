import {
  BudgetError,
  NotFoundError,
  PreconditionError,
  ValidationError,
  type Budgets,
  type ExerciseDefinition,
  type SubmissionPayload,
} from "@stepwise/core/contracts";
import { assignmentPlace, assignmentPolicy } from "@stepwise/exercises";
import { toolboxPolicy, type Technique } from "@stepwise/exercises/course";
import { prepareTraining } from "@stepwise/exercises/prepare";
import { withDecisions } from "@stepwise/exercises/grading";
import {
  assertStepOpen,
  courseById,
  createSubmissionWithJob,
  extensionDeadline,
  projectDecisions,
  type Assignment,
  type Db,
  type User,
} from "@stepwise/db";
import { checkAnswers } from "./answers";
import type { TrainingSpeed } from "./grader-speed";
import { deadlineState, refusalMessage } from "./late-policy";

const RATE_WINDOW_MS = 60_000;

/** Submissions counted against the test-evaluation limit: step-7 training (steps 5–6 report the grader's measurement as their verifiers require). */
export function evaluatesOnTest(exercise: ExerciseDefinition): boolean {
  return exercise.kind === "training" && exercise.step === 7;
}

/**
 * Rejects a training submission that could never be graded — unknown layers, malformed topology,
 * an input shape that fits no encoding of the dataset, over the budgets in force — before anything
 * is stored, so it costs the student no attempt. The grader runs the same `prepareTraining`.
 * `seeds`: the assignment's training seeds (1–10); the grader trains N runs within one budget, so
 * the estimate counts N× one run. `speed`: the grader throughput the time estimate uses (none: no
 * time check); a refusal for time says which figure it was.
 */
export function checkPayloadAgainstExercise(
  exercise: ExerciseDefinition,
  budgets: Budgets,
  payload: SubmissionPayload,
  speed?: TrainingSpeed,
  seeds?: number,
  toolbox?: readonly Technique[],
): void {
  if (payload.exerciseId !== exercise.id) {
    throw new ValidationError(`This assignment expects exercise "${exercise.id}", got "${payload.exerciseId}".`, "exerciseId");
  }
  if (exercise.kind !== "training") {
    checkAnswers(exercise.questions, payload.answers);
    return;
  }
  const budgeted = { ...exercise, budgets };
  // `toolbox`: the step-7 techniques the assignment allows; a submission using another is refused here, before it costs anything.
  const options = { ...(seeds !== undefined ? { seeds } : {}), ...(toolbox ? { toolbox } : {}) };
  try {
    prepareTraining(budgeted, payload, exercise.seed, speed ? { ...options, graderGflops: speed.gflops } : options);
  } catch (error) {
    // Only the time estimate depends on the speed: if every other check passes without it, time was over.
    if (!speed || !(error instanceof BudgetError)) throw error;
    prepareTraining(budgeted, payload, exercise.seed, options);
    throw new BudgetError(`${error.message}; estimated at ${speed.basis}`);
  }
}

/**
 * The student's extension replaces the assignment's deadline; past it, the late penalty in force
 * (the assignment's, else the course's) decides whether the submission is still accepted. Accepted
 * late submissions go through at full value here: the gradebook applies the penalty factor.
 */
async function checkDeadline(db: Db, input: { assignment: Assignment; user: User; now: number }): Promise<void> {
  const { assignment, user, now } = input;
  const [extension, course] = await Promise.all([extensionDeadline(db, assignment.id, user.id), courseById(db, assignment.courseId)]);
  if (!course) throw new NotFoundError(`The course of assignment "${assignment.id}" no longer exists.`);
  const state = deadlineState({ assignment, course, extension, now });
  if (!state.accepted) throw new PreconditionError(refusalMessage(state));
}

export async function submit(
  db: Db,
  input: {
    assignment: Assignment;
    exercise: ExerciseDefinition;
    budgets: Budgets;
    user: User;
    payload: SubmissionPayload;
    now: number;
    submissionsPerMinute: number;
    speed?: TrainingSpeed;
  },
) {
  const { overrides } = input.assignment;
  // A locked step says what unlocks it before anything else is checked; nothing is stored.
  await assertStepOpen(db, { assignment: input.assignment, userId: input.user.id, locate: assignmentPlace, now: input.now });
  // As the grader will place it: a guided project's step-4 IMDB vocabulary fixes the model's input width.
  const decisions = await projectDecisions(db, {
    assignment: input.assignment,
    userId: input.user.id,
    locate: assignmentPlace,
    now: input.now,
  });
  checkPayloadAgainstExercise(
    withDecisions(input.exercise, decisions),
    input.budgets,
    input.payload,
    input.speed,
    assignmentPolicy(overrides).seeds,
    toolboxPolicy(overrides).allowed,
  );
  await checkDeadline(db, input);
  return createSubmissionWithJob(
    db,
    {
      assignmentId: input.assignment.id,
      userId: input.user.id,
      exerciseId: input.exercise.id,
      payload: input.payload,
      priority: 0,
      // Attempts and rate are counted in the transaction that stores the submission, so concurrent
      // requests cannot together pass the limit (a check before it could be passed by both).
      limits: { attemptsAllowed: input.assignment.attemptsAllowed, perMinute: input.submissionsPerMinute, windowMs: RATE_WINDOW_MS },
      // Step 7 is where the student chooses a configuration: each graded submission is one evaluation
      // on the hidden test set, reserved with it (refused, storing nothing, past the assignment's limit).
      ...(evaluatesOnTest(input.exercise) ? { testEvaluation: { limit: toolboxPolicy(input.assignment.overrides).testEvaluations } } : {}),
    },
    input.now,
  );
}
