/**
 * What a grading asks of whoever trains (the in-process runner, the grader's sandboxed child): one
 * run's description and the runner's shape. Apart from grade.ts so the modules grading uses (run
 * reuse) can name a run without importing the orchestration.
 */
import type { DataSlice, Verdict } from "@stepwise/core/contracts";
import type { InputScaling } from "@stepwise/core/datasets";
import type { CsvTrainingData } from "./csv";
import type { PreparedTraining } from "./prepare";
import type { TrainAndPredictResult } from "./run";

/** One training a grading asks for: the model, its seeds and budget, the data, and how the student follows it. */
export interface GradingRun {
  prepared: PreparedTraining;
  /** Training seed of this run: initial weights, batch order, dropout. */
  seed: number;
  /** The exercise's seed: the data slice, the validation split and the test inputs' order, whatever the training seed. */
  dataSeed: number;
  /** This run's training budget, seconds (N seeds' runs share the exercise's). */
  maxSeconds: number;
  slice: DataSlice;
  /** CSV datasets: the rows encoded by the caller (training rows with labels, test inputs only). */
  csv?: CsvTrainingData;
  /** Guided courses: step 4's scaling of MNIST's pixels, applied where the run loads them (a CSV's rows come scaled). */
  scaling?: InputScaling;
  /** The run whose epochs the student watches: its curves are the verdict's. */
  streams: boolean;
  /** The run whose end announces the test evaluation (the last of N seeds' runs). */
  evaluating: boolean;
  /** Names the run in logs: "model", "model (training seed 7, run 2 of 3)", "before", "after", "final". */
  label: string;
  /** Status line while a run whose epochs are not streamed trains. */
  announce?: string;
  /** Where this run stands in the grading, for the student's progress: run `index` (1-based) of `count`, and what it trains. */
  place: { index: number; count: number; title: string };
}

/**
 * Trains one model and predicts the test inputs — in this process (CLI, tests) or in a sandboxed
 * child (the grader). A run that ended without predictions the student is told about (out of memory,
 * killed by the hard limit, refused by the child) comes back as `{ stopped }` and ends the grading
 * with that verdict; faults of the runner itself throw.
 */
export type GradingRunner = (run: GradingRun) => Promise<TrainAndPredictResult | { stopped: Verdict }>;
