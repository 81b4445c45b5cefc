import { CourseSettings, LatePenalty, type Lateness, lateness } from "@stepwise/exercises/course";
import type { Assignment, Course } from "@stepwise/db";

/** Graded attempts per assignment when a course's settings name none (course.yaml requires a value). */
export const DEFAULT_ATTEMPTS = 10;

/**
 * A course's stored settings, read leniently: a value that no longer parses (written by an older
 * version, or by hand) is dropped rather than breaking every page of the course.
 */
export function courseSettings(course: Pick<Course, "settings">): CourseSettings {
  const parsed = CourseSettings.partial().safeParse(course.settings);
  const settings = parsed.success ? parsed.data : {};
  return {
    defaultAttempts: settings.defaultAttempts ?? DEFAULT_ATTEMPTS,
    ...(settings.latePenalty ? { latePenalty: settings.latePenalty } : {}),
    ...(settings.mode ? { mode: settings.mode } : {}),
  };
}

/** The late penalty in force: the assignment's own, else the course's, else none (the deadline is hard). */
export function latePenaltyFor(assignment: Pick<Assignment, "overrides">, course: Pick<Course, "settings">): LatePenalty | undefined {
  const own = LatePenalty.safeParse(assignment.overrides.latePenalty);
  return own.success ? own.data : courseSettings(course).latePenalty;
}

export interface DeadlineState extends Lateness {
  /** The deadline that applies to this student (their extension, else the assignment's), or null. */
  deadline: number | null;
  extended: boolean;
  penalty: LatePenalty | undefined;
}

/** How late a submission at `now` is for this student. */
export function deadlineState(input: {
  assignment: Pick<Assignment, "deadline" | "overrides">;
  course: Pick<Course, "settings">;
  extension: number | null;
  now: number;
}): DeadlineState {
  const deadline = input.extension ?? input.assignment.deadline;
  const penalty = latePenaltyFor(input.assignment, input.course);
  return { ...lateness(input.now, deadline, penalty), deadline, extended: input.extension !== null, penalty };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** Why a late submission is refused: when the deadline was, and how late is still accepted. */
export function refusalMessage(state: DeadlineState): string {
  const when = state.deadline === null ? "" : ` ${new Date(state.deadline).toISOString()}`;
  const whose = state.extended ? "Your extended deadline for this assignment was" : "The deadline for this assignment was";
  const allowed = state.penalty
    ? `Submissions are accepted up to ${plural(state.penalty.maxDaysLate, "day")} late (minus ${Math.round(state.penalty.perDay * 100)}% per day), and this one would be ${plural(state.daysLate, "day")} late.`
    : "This assignment accepts no late submissions.";
  return `${whose}${when}. ${allowed}`;
}
