import type { LatePenalty } from "./schema";

const DAY_MS = 24 * 60 * 60 * 1000;

export interface Lateness {
  /** Submitted after the (effective) deadline. */
  late: boolean;
  /** Started days late: 1 ms late counts as one day, as a student reads "one day late". */
  daysLate: number;
  /** Multiplier of the score, 0–1: 1 on time; `1 − perDay × daysLate` (never below 0) when late. */
  factor: number;
  /** Whether the submission is accepted at all (false past `maxDaysLate`, or late with no penalty policy). */
  accepted: boolean;
}

/**
 * How late a submission is under an assignment's deadline (the student's extension, when they have
 * one, replaces it) and late penalty. Without a late-penalty policy a deadline is hard: nothing late
 * is accepted. Pure, so the submit check, the gradebook and the exports agree.
 */
export function lateness(submittedAt: number, deadline: number | null, penalty: LatePenalty | undefined): Lateness {
  if (deadline === null || submittedAt <= deadline) return { late: false, daysLate: 0, factor: 1, accepted: true };
  const daysLate = Math.ceil((submittedAt - deadline) / DAY_MS);
  if (!penalty) return { late: true, daysLate, factor: 0, accepted: false };
  const accepted = daysLate <= penalty.maxDaysLate;
  return { late: true, daysLate, factor: accepted ? Math.max(0, 1 - penalty.perDay * daysLate) : 0, accepted };
}
