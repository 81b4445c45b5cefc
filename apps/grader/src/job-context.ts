/**
 * What every claimed job shares, whatever it asks for (a grading, a debugging experiment, a tuning
 * search): the grader's side of the job and the shape of what it comes to.
 */
import type { Verdict } from "@stepwise/core/contracts";
import type { Db } from "@stepwise/db";
import type { ExperimentResult } from "@stepwise/exercises/experiments";
import type { TuningResult } from "@stepwise/exercises/tuning";
import type { GraderConfig } from "./config";
import type { WarmPool } from "./sandbox";

/** The grader's side of one claimed job: its database, configuration, lease and training children. */
export interface JobContext {
  db: Db;
  config: GraderConfig;
  /** Aborted when the job's lease is lost or the grader shuts down. */
  signal: AbortSignal;
  now: () => number;
  /** Warm training children; a fresh fork per run without it. */
  pool?: WarmPool;
  /** Told which TF.js backend the training child chose. */
  onBackend?: (backend: string) => void;
}

/** What the grader stores for an experiment or tuning job: its result, or why it has none (a sentence for the student). */
export type ExperimentOutcome = { result: ExperimentResult | TuningResult } | { failed: string };

/**
 * What a claimed job came to: a grading's verdict, or an experiment's outcome (a debugging
 * experiment's or a tuning search's) with a one-line summary for the grader's log.
 */
export type JobResult =
  | { kind: "verdict"; verdict: Verdict }
  | { kind: "experiment"; experiment: string; outcome: ExperimentOutcome; summary: string };
