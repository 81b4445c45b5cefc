import type { JobStatus, MetricValue, VerdictStatus } from "@stepwise/core/contracts";
import type { AssignmentStatus } from "~/server/services/verdict-view";

/** The words for a verdict the model earned; a grader error is worded by each view for its reader. */
export const OUTCOME_LABEL: Record<Exclude<VerdictStatus, "error">, string> = {
  passed: "Passed",
  failed: "Failed",
  invalid: "Invalid",
  timed_out: "Timed out",
  out_of_memory: "Out of memory",
  diverged: "Diverged",
};

/** `withheld`: graded, with the result kept from the student while a check is hidden. */
export const VERDICT_HEADING: Record<VerdictStatus | "withheld", string> = { ...OUTCOME_LABEL, error: "Error", withheld: "Graded" };

export const ASSIGNMENT_STATUS_LABEL: Record<AssignmentStatus, string> = {
  not_attempted: "Not attempted",
  queued: "Queued",
  running: "Running",
  graded: "Graded",
  passed: "Passed",
  failed: "Failed",
};

export const JOB_STATUS_LABEL: Record<JobStatus, string> = {
  queued: "Queued",
  running: "Running",
  done: "Graded",
  dead: "Grader error",
  cancelled: "Cancelled",
};

export function formatNumber(value: number, digits = 3): string {
  return Number.isInteger(value) && Math.abs(value) >= 1 ? String(value) : value.toFixed(digits);
}

/** "0.912 (95% CI 0.906–0.918)" */
export function formatMetric(metric: MetricValue): string {
  const base = formatNumber(metric.value);
  if (!metric.interval) return base;
  const level = Math.round(metric.interval.level * (metric.interval.level <= 1 ? 100 : 1));
  return `${base} (${level}% CI ${formatNumber(metric.interval.lower)}–${formatNumber(metric.interval.upper)})`;
}

export function formatDate(ms: number): string {
  return new Date(ms).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }) + " UTC";
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  return s < 90 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}
