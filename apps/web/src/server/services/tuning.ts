import type { ExerciseDefinition, ProgressEvent, SubmissionPayload } from "@stepwise/core/contracts";
import { ForbiddenError, PreconditionError, ValidationError } from "@stepwise/core/contracts";
import { parseModelSpec } from "@stepwise/core/model";
import type { Assignment, ExperimentRun } from "@stepwise/db";
import { toolboxPolicy, type ToolboxPolicy } from "@stepwise/exercises/course";
import {
  checkTuning,
  FINAL_LABEL,
  prepareTrials,
  TRIAL_LABEL,
  TuningResult,
  TuningSearch,
  type Hyperparameter,
  type SearchSpace,
} from "@stepwise/exercises/tuning";
import { runOutcome } from "./run-outcome";

/**
 * The web side of tuning: who may start a search where, the defaults the form starts from (read off
 * the student's own model), and a stored run as the Tune section shows it. The search itself runs on
 * the grader (`@stepwise/exercises/tuning`); nothing here trains.
 */

export function tuningPolicyOf(assignment: Pick<Assignment, "overrides">): ToolboxPolicy {
  return toolboxPolicy(assignment.overrides);
}

/** Why tuning cannot run on this assignment at all, in the student's terms; null when it can. */
export function tuningUnavailable(exercise: ExerciseDefinition, policy: ToolboxPolicy): string | null {
  if (exercise.kind !== "training" || exercise.step !== 7)
    return `Tuning is part of step 7 (regularize and tune); this assignment is step ${exercise.step}.`;
  if (!policy.allowed.includes("tuning")) {
    const allowed = policy.allowed.length ? policy.allowed.join(", ") : "none";
    return `Your instructor has not allowed tuning on this assignment (allowed techniques: ${allowed}).`;
  }
  return null;
}

/** Refuses a search on an assignment that does not take one: not step 7 (PRECONDITION_FAILED), tuning not allowed (FORBIDDEN). */
export function checkTuningAllowed(exercise: ExerciseDefinition, policy: ToolboxPolicy): void {
  const reason = tuningUnavailable(exercise, policy);
  if (reason === null) return;
  if (exercise.kind === "training" && exercise.step === 7) throw new ForbiddenError(reason);
  throw new PreconditionError(reason);
}

/**
 * Everything the grader would refuse, refused before anything is queued: the search's shape against
 * the trial cap and the model (`checkTuning`), and a search whose every trial would be skipped (over
 * the exercise's budgets) — it would spend budget to train nothing.
 */
export function checkSearch(exercise: ExerciseDefinition, payload: SubmissionPayload, search: TuningSearch, policy: ToolboxPolicy): number {
  const trials = checkTuning(exercise, payload, search, policy.tuningTrials);
  const prepared = prepareTrials(exercise, payload, trials);
  const first = prepared.find((t) => "skipped" in t);
  if (first && "skipped" in first && prepared.every((t) => "skipped" in t)) {
    throw new ValidationError(
      `Every trial of this search would be skipped, so it would train nothing; the first: ${first.skipped}`,
      "space",
    );
  }
  return trials.length;
}

/** What the form starts from: the student's own values, so a search is read as "around my model". */
export interface ModelFacts {
  learningRate: number;
  /** Units of the first hidden Dense layer; null when the model has only its output layer. */
  units: number | null;
  /** Hidden Dense layers before the output layer. */
  layers: number;
  /** Rate of the first Dropout layer; null when the model has none (searching dropout then needs one). */
  dropout: number | null;
}

/** Reads the facts off a submission's model; null when it has no model or its model no longer parses. */
export function modelFacts(payload: SubmissionPayload): ModelFacts | null {
  if (!payload.model || !payload.training) return null;
  try {
    const { summary, topology } = parseModelSpec(payload.model);
    const dense = summary.layers.filter((l) => l.className === "Dense");
    const hidden = dense.slice(0, -1);
    const units = hidden[0]?.outputShape.at(-1);
    const layers = (topology.config as { layers?: { class_name?: unknown; config?: { rate?: unknown } }[] } | undefined)?.layers ?? [];
    const rate = layers.find((l) => l.class_name === "Dropout")?.config?.rate;
    return {
      learningRate: payload.training.compile.learningRate,
      units: typeof units === "number" ? units : null,
      layers: hidden.length,
      dropout: typeof rate === "number" ? rate : null,
    };
  } catch {
    return null;
  }
}

const tidy = (x: number) => Number(x.toPrecision(3));
const distinct = (xs: number[]) => [...new Set(xs)];

/**
 * The search the form proposes: the learning rate ÷3, as is and ×3 and, when the model has dropout,
 * its rate −0.1, as is and +0.1 — a grid of up to nine trials, or as many seeded random draws from
 * it as the assignment allows. Units and layers are offered around the model's values, unticked.
 */
export function defaultSearch(facts: ModelFacts, maxTrials: number): { search: TuningSearch; offered: Record<Hyperparameter, number[]> } {
  const lr = facts.learningRate;
  const units = facts.units ?? 32;
  const dropout = facts.dropout ?? 0.3;
  const offered = {
    learningRate: distinct([tidy(lr / 3), tidy(lr), tidy(lr * 3)].filter((x) => x > 0 && x <= 10)),
    units: distinct([Math.max(1, Math.round(units / 2)), units, Math.min(4096, units * 2)]),
    layers: distinct([Math.max(1, facts.layers), Math.min(8, Math.max(1, facts.layers) + 1)]),
    dropout: distinct([tidy(Math.max(0, dropout - 0.1)), tidy(dropout), tidy(Math.min(0.9, dropout + 0.1))]),
  };
  const space: SearchSpace =
    facts.dropout !== null ? { learningRate: offered.learningRate, dropout: offered.dropout } : { learningRate: offered.learningRate };
  const size = offered.learningRate.length * (space.dropout?.length ?? 1);
  // Successive halving by default: the whole search then costs about what three full trainings do.
  const search: TuningSearch = {
    strategy: size <= maxTrials ? "grid" : "random",
    trials: Math.max(1, Math.min(size, maxTrials)),
    space,
    halving: { factor: 3 },
  };
  return { search, offered };
}

/** Where a running search is: "trial 2 of 8", or the final retraining. */
export interface TuningProgress {
  trial: number | null;
  total: number | null;
  /** The grader's label of the current step, e.g. "trial 2 of 8: learning rate 0.001". */
  label: string;
  final: boolean;
  /** Epochs of the current training streamed so far. */
  epochs: number;
}

/** Reads the last `run` label the grader wrote (one per trial, then one for the final model) and the epochs since. */
export function progressOf(events: ProgressEvent[]): TuningProgress | null {
  let current: TuningProgress | null = null;
  for (const event of events) {
    if (event.type === "run") {
      const match = TRIAL_LABEL.exec(event.label);
      current = {
        trial: match ? Number(match[1]) : null,
        total: match ? Number(match[2]) : null,
        label: event.label,
        final: event.label === FINAL_LABEL,
        epochs: 0,
      };
    } else if (event.type === "epoch" && current) {
      current.epochs += 1;
    }
  }
  return current;
}

/** One tuning run as the student sees it. */
export interface TuningRunView {
  jobId: string;
  submissionId: string;
  status: ExperimentRun["status"];
  createdAt: number;
  finishedAt: number | null;
  /** Seconds charged: measured once done, the estimate while pending. */
  chargedSeconds: number;
  /** Seconds it was estimated at when started, kept to read beside what was charged; null for runs from before estimates were kept. */
  estimateSeconds: number | null;
  search: TuningSearch | null;
  result: TuningResult | null;
  /** Why there is no result: the search did not fit the model, or the grader failed. */
  failure: string | null;
}

export function tuningRunView(run: ExperimentRun): TuningRunView {
  const search = TuningSearch.safeParse(run.search);
  const { result, failure } = runOutcome(run, TuningResult, "search");
  return {
    jobId: run.jobId,
    submissionId: run.submissionId,
    status: run.status,
    createdAt: run.createdAt,
    finishedAt: run.finishedAt,
    chargedSeconds: run.chargedSeconds,
    estimateSeconds: run.estimateSeconds,
    search: search.success ? search.data : null,
    result,
    failure,
  };
}
