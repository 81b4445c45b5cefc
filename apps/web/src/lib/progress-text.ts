import type { ProgressEvent } from "@stepwise/core/contracts";
import { roughly } from "./queue-text";

export type PhaseEvent = Extract<ProgressEvent, { type: "phase" }>;

/**
 * Seconds left of a grading at `nowMs`: the grader's estimate when it wrote the phase, less the time
 * since; null without an estimate.
 */
export function secondsLeft(phase: PhaseEvent, nowMs: number): number | null {
  if (phase.etaSeconds === undefined) return null;
  return Math.max(0, phase.etaSeconds - Math.max(0, nowMs - phase.at) / 1000);
}

/**
 * A running grading in the student's words: "Training run 2 of 3 (your step-7 model) — epoch 4 of
 * 10, ~40 s left". The test set's evaluation is always the last phase.
 */
export function phaseText(phase: PhaseEvent, nowMs: number): string {
  const left = secondsLeft(phase, nowMs);
  const eta = left === null ? "" : left < 5 ? ", almost done" : `, ${roughly(left)} left`;
  switch (phase.phase) {
    case "preparing":
      return "Preparing the data";
    case "evaluating":
      return "Evaluating on the hidden test set";
    case "training": {
      const what = phase.runs !== undefined && phase.runs > 1 ? `Training run ${phase.run ?? "?"} of ${phase.runs}` : "Training";
      const label = phase.label ? ` (${phase.label})` : "";
      const epoch = phase.epochs === undefined ? "" : phase.epoch ? ` — epoch ${phase.epoch} of ${phase.epochs}` : " — starting";
      return `${what}${label}${epoch}${eta}`;
    }
  }
}
