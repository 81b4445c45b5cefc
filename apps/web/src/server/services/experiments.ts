import type { ExerciseDefinition, SubmissionPayload, Verdict } from "@stepwise/core/contracts";
import { ForbiddenError, PreconditionError, ValidationError } from "@stepwise/core/contracts";
import type { Assignment, EstimateSeconds, ExperimentBudget, ExperimentRun } from "@stepwise/db";
import { experimentPolicy, type ExperimentPolicy } from "@stepwise/exercises/course";
import {
  EXPERIMENT_INFO,
  EXPERIMENTS,
  ExperimentResult,
  experimentAppliesTo,
  suggestExperiments,
  type ExperimentName,
} from "@stepwise/exercises/experiments";
import { prepareTraining, taskOf } from "@stepwise/exercises/grading";
import { TUNE_EXPERIMENT } from "@stepwise/exercises/tuning";
import { assignmentExercise } from "./exercise-view";
import { DEFAULT_GFLOPS, estimateExperimentSeconds } from "./experiments-cost";
import { runOutcome } from "./run-outcome";
import { estimateTuneSeconds, type SpeedFigures } from "./tuning-cost";

/** The exercise as the assignment places it (a CSV override changes the task, and so which experiments apply). */
export const placedExercise = assignmentExercise;

export function policyOf(assignment: Pick<Assignment, "overrides">): ExperimentPolicy {
  return experimentPolicy(assignment.overrides);
}

type Task = "binary" | "multiclass" | "regression";

export function taskOfExercise(exercise: ExerciseDefinition): Task {
  return taskOf(exercise.dataset).kind;
}

export const appliesTo = experimentAppliesTo;

/**
 * The budget callback for the db layer: every run of one assignment is estimated the same way, from
 * the same published figures (`speedFigures`), whichever router reads the budget.
 */
export function estimatorFor(exercise: ExerciseDefinition, speed: SpeedFigures): EstimateSeconds {
  const { gflops } = speed;
  return ({ experiment, payload, search }) => {
    // A queued tuning search shares this budget: it holds its own estimate, never 0.
    if (experiment === TUNE_EXPERIMENT) return estimateTuneSeconds(exercise, payload, search, speed);
    const name = EXPERIMENTS.find((e) => e === experiment);
    return name ? estimateExperimentSeconds(name, exercise, payload, gflops || DEFAULT_GFLOPS) : 0;
  };
}

/**
 * Everything that can be refused before a run is queued, each with the reason: the instructor has not
 * allowed the experiment, it does not fit the task, the step has no model, the model is not trainable.
 */
export function checkRunnable(input: {
  name: ExperimentName;
  exercise: ExerciseDefinition;
  policy: ExperimentPolicy;
  payload: SubmissionPayload;
}): void {
  const { name, exercise, policy, payload } = input;
  const title = EXPERIMENT_INFO[name].title;
  if (!policy.allowed.includes(name)) {
    const allowed = policy.allowed.length ? policy.allowed.join(", ") : "none";
    throw new ForbiddenError(`Your instructor has not allowed "${title}" (${name}) on this assignment; allowed experiments: ${allowed}.`);
  }
  if (exercise.kind !== "training")
    throw new PreconditionError(`Experiments examine a trained model; step ${exercise.step} is answered with a form.`);
  const task = taskOfExercise(exercise);
  if (!appliesTo(name, task)) {
    throw new PreconditionError(
      `"${title}" does not apply to a ${task === "regression" ? "regression" : "classification"} task like this one.`,
    );
  }
  try {
    prepareTraining(exercise, payload, exercise.seed);
  } catch (error) {
    if (error instanceof ValidationError)
      throw new ValidationError(
        `Experiments need a model the grader can train; this submission's is invalid: ${error.message}`,
        "submissionId",
      );
    throw error;
  }
}

/** One run as the student sees it: the stored result parsed with the experiments' schema. */
export interface ExperimentRunView {
  jobId: string;
  submissionId: string;
  experiment: ExperimentName;
  title: string;
  /** The experiment reports findings about the data (an outcome), not a healthy/fault verdict on the model. */
  findingsOnly: boolean;
  status: ExperimentRun["status"];
  createdAt: number;
  finishedAt: number | null;
  chargedSeconds: number;
  result: ExperimentResult | null;
  /** Why there is no result: the experiment did not fit the model, or the grader failed. */
  failure: string | null;
}

export function runView(run: ExperimentRun): ExperimentRunView | null {
  const name = EXPERIMENTS.find((e) => e === run.experiment);
  if (!name) return null;
  const { result, failure } = runOutcome(run, ExperimentResult, "experiment");
  return {
    jobId: run.jobId,
    submissionId: run.submissionId,
    experiment: name,
    title: EXPERIMENT_INFO[name].title,
    // Findings-only experiments (the learning curve) describe the data, not a fault: no healthy/fault badge.
    findingsOnly: EXPERIMENT_INFO[name].findingsOnly === true,
    status: run.status,
    createdAt: run.createdAt,
    finishedAt: run.finishedAt,
    chargedSeconds: run.chargedSeconds,
    result,
    failure,
  };
}

export interface SuggestionView {
  experiment: ExperimentName;
  title: string;
  question: string;
  reasons: string[];
}

/** The experiments that fit a verdict, as far as the assignment allows them. */
export function suggestionsFor(verdict: Verdict | null, exercise: ExerciseDefinition, policy: ExperimentPolicy): SuggestionView[] {
  if (!verdict || exercise.kind !== "training") return [];
  return suggestExperiments(verdict, { task: taskOfExercise(exercise), step: exercise.step })
    .filter((s) => policy.allowed.includes(s.experiment))
    .map((s) => ({ experiment: s.experiment, title: s.title, question: EXPERIMENT_INFO[s.experiment].question, reasons: s.reasons }));
}

/** The catalogue for the Debugging page: every experiment, whether it may run here, and why not. */
export function catalogue(exercise: ExerciseDefinition, policy: ExperimentPolicy) {
  const task = exercise.kind === "training" ? taskOfExercise(exercise) : null;
  return EXPERIMENTS.map((name) => {
    const unavailable = !policy.allowed.includes(name)
      ? "not allowed on this assignment"
      : task === null
        ? "this step has no model to examine"
        : !appliesTo(name, task)
          ? `does not apply to ${task === "regression" ? "regression" : "classification"}`
          : null;
    return { experiment: name, title: EXPERIMENT_INFO[name].title, question: EXPERIMENT_INFO[name].question, unavailable };
  });
}

export type BudgetView = ExperimentBudget;
