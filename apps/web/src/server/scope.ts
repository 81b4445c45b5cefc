import { ForbiddenError, NotFoundError } from "@stepwise/core/contracts";
import {
  assignmentById,
  courseById,
  membership,
  submissionById,
  type Assignment,
  type Course,
  type CourseRole,
  type Db,
  type SubmissionRow,
  type User,
} from "@stepwise/db";

/**
 * The course-scope rules, stated once. The scoped base procedures of `trpc.ts` apply them to the id in
 * a procedure's input; the non-tRPC routes (`http-glue.ts` callers) apply the same functions.
 */

interface Caller {
  db: Db;
  user: User;
}

/** Who may act in a course: any member, only its students, or only its instructors. */
export type CourseNeed = "member" | "student" | "instructor";

const NOT_ENROLLED = "You are not enrolled in this course.";
const ONLY: Record<Exclude<CourseNeed, "member">, string> = {
  student: "Only the students of this course may do that.",
  // The same for the course's students and for strangers: it does not reveal whether the course exists.
  instructor: "Only the instructors of this course may do that.",
};

export interface CourseScope {
  course: Course;
  /** The caller's role in this course. */
  role: CourseRole;
}

/**
 * Membership is checked before the course is read: a course the caller is not in is FORBIDDEN whether
 * or not it exists (no probing for course ids).
 */
export async function courseScope(ctx: Caller, courseId: string, need: CourseNeed): Promise<CourseScope> {
  const role = await membership(ctx.db, courseId, ctx.user.id);
  if (role === null) throw new ForbiddenError(need === "instructor" ? ONLY.instructor : NOT_ENROLLED);
  if (need !== "member" && role !== need) throw new ForbiddenError(ONLY[need]);
  const course = await courseById(ctx.db, courseId);
  if (!course) throw new NotFoundError(`No course with id "${courseId}".`);
  return { course, role };
}

export interface AssignmentScope extends CourseScope {
  assignment: Assignment;
}

/** A missing assignment is NOT_FOUND; an existing one is then scoped by its course. */
export async function assignmentScope(ctx: Caller, assignmentId: string, need: CourseNeed): Promise<AssignmentScope> {
  const assignment = await assignmentById(ctx.db, assignmentId);
  if (!assignment) throw new NotFoundError(`No assignment with id "${assignmentId}".`);
  return { assignment, ...(await courseScope(ctx, assignment.courseId, need)) };
}

/**
 * Who may reach a submission: `reader` — its author, or an instructor of its course (the one rule
 * for reading student work); `member` — anyone enrolled in its course (the resolver states what more
 * it needs, e.g. authorship); `instructor` — the course's instructors only.
 */
export type SubmissionNeed = "reader" | "member" | "instructor";

export interface SubmissionScope {
  submission: SubmissionRow;
  assignment: Assignment;
  /** The caller's role in the submission's course; null only for an author no longer enrolled (`reader`). */
  role: CourseRole | null;
  /** The caller wrote this submission. */
  own: boolean;
  /** Whose view of a verdict the caller gets: instructors of the course see hidden checks too. */
  viewer: CourseRole;
}

export async function submissionScope(ctx: Caller, submissionId: string, need: SubmissionNeed): Promise<SubmissionScope> {
  const submission = await submissionById(ctx.db, submissionId);
  if (!submission) throw new NotFoundError(`No submission with id "${submissionId}".`);
  const assignment = await assignmentById(ctx.db, submission.assignmentId);
  if (!assignment) throw new NotFoundError(`The assignment of submission "${submissionId}" no longer exists.`);
  const own = submission.userId === ctx.user.id;
  let role: CourseRole | null;
  if (need === "reader") {
    role = await membership(ctx.db, assignment.courseId, ctx.user.id);
    if (!own && role !== "instructor") throw new ForbiddenError("You can only see your own submissions.");
  } else role = (await courseScope(ctx, assignment.courseId, need)).role;
  return { submission, assignment, role, own, viewer: role === "instructor" ? "instructor" : "student" };
}

/**
 * Work that belongs to one student (an experiment or tuning run): its owner, or an instructor of its
 * course. `what` names it in the refusal ("experiments", "tuning runs").
 */
export async function requireOwnerOrInstructor(
  ctx: Caller,
  work: { userId: string; courseId: string | null },
  what: string,
): Promise<void> {
  if (work.userId === ctx.user.id) return;
  const role = work.courseId === null ? null : await membership(ctx.db, work.courseId, ctx.user.id);
  if (role !== "instructor") throw new ForbiddenError(`You can only see your own ${what}.`);
}
