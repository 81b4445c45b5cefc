import { NotFoundError, PreconditionError } from "@stepwise/core/contracts";
import { type Db, writeTx } from "./connection";

export type CourseRole = "student" | "instructor";

export interface CourseMember {
  userId: string;
  email: string;
  name: string;
  role: CourseRole;
  /** When they were enrolled, ms since the epoch. */
  since: number;
}

/**
 * Idempotent: enrolling someone already enrolled changes nothing — in particular a join by
 * code (role "student") never demotes an instructor.
 */
export async function enroll(db: Db, input: { courseId: string; userId: string; role: CourseRole }, now: number): Promise<void> {
  await db.kysely
    .insertInto("enrollments")
    .values({ course_id: input.courseId, user_id: input.userId, role: input.role, created_at: now })
    .onConflict((oc) => oc.columns(["course_id", "user_id"]).doNothing())
    .execute();
}

export async function membership(db: Db, courseId: string, userId: string): Promise<CourseRole | null> {
  const row = await db.kysely
    .selectFrom("enrollments")
    .select("role")
    .where("course_id", "=", courseId)
    .where("user_id", "=", userId)
    .executeTakeFirst();
  return row?.role === "student" || row?.role === "instructor" ? row.role : null;
}

/** Instructors and students of a course, each in enrollment order (then by e-mail). */
export async function courseMembers(db: Db, courseId: string): Promise<{ instructors: CourseMember[]; students: CourseMember[] }> {
  const rows = await db.kysely
    .selectFrom("enrollments")
    .innerJoin("users", "users.id", "enrollments.user_id")
    .select(["users.id", "users.email", "users.name", "enrollments.role", "enrollments.created_at"])
    .where("enrollments.course_id", "=", courseId)
    .orderBy("enrollments.created_at", "asc")
    .orderBy("users.email", "asc")
    .execute();
  const members = rows.map(
    (r): CourseMember => ({
      userId: r.id,
      email: r.email,
      name: r.name,
      role: r.role === "instructor" ? "instructor" : "student",
      since: r.created_at,
    }),
  );
  return { instructors: members.filter((m) => m.role === "instructor"), students: members.filter((m) => m.role === "student") };
}

/** Removes an instructor from the course; the last one never goes (the course would be orphaned). */
export async function removeCourseInstructor(db: Db, input: { courseId: string; userId: string }): Promise<void> {
  await writeTx(db, async (q) => {
    // Locked on PostgreSQL so two instructors removing each other at once cannot both succeed.
    const instructors = await q
      .selectFrom("enrollments")
      .select("user_id")
      .where("course_id", "=", input.courseId)
      .where("role", "=", "instructor")
      .$if(db.dialect === "postgres", (qb) => qb.forUpdate())
      .execute();
    if (!instructors.some((r) => r.user_id === input.userId))
      throw new NotFoundError(`User "${input.userId}" is not an instructor of this course`);
    if (instructors.length <= 1)
      throw new PreconditionError("A course needs at least one instructor: invite another instructor before removing this one");
    await q.deleteFrom("enrollments").where("course_id", "=", input.courseId).where("user_id", "=", input.userId).execute();
  });
}
