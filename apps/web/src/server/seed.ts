import {
  assignmentsForCourse,
  courseByJoinCode,
  createAssignment,
  createCourse,
  createUser,
  enroll,
  userByEmail,
  type Db,
  type Role,
  type User,
} from "@stepwise/db";
import { getExercise } from "@stepwise/exercises";

export const DEMO = {
  instructor: { email: "instructor@stepwise.test", password: "stepwise-instructor", name: "Ada Instructor", role: "instructor" },
  student: { email: "student@stepwise.test", password: "stepwise-student", name: "Sam Student", role: "student" },
  course: { title: "Deep learning workflow (demo)", joinCode: "DEMO-2026" },
} as const satisfies Record<string, unknown>;

async function ensureUser(db: Db, who: { email: string; password: string; name: string; role: Role }, now: number): Promise<User> {
  const existing = await userByEmail(db, who.email);
  if (existing) return existing;
  return createUser(db, { email: who.email, name: who.name, role: who.role, password: who.password }, now);
}

/**
 * Demo data: an instructor, a student, and the demo course folder (`packages/exercises/courses/demo`,
 * the authoring format instructors write) with every assignment it holds. Idempotent — a second run
 * finds everything and changes nothing.
 */
export async function seedDemo(
  db: Db,
  now: number,
): Promise<{ instructor: { email: string; password: string }; student: { email: string; password: string }; courseId: string }> {
  // Loaded lazily: the sign-in page imports DEMO from here and must not bundle the YAML reader.
  const { demoCourseDir, loadCourseFolder } = await import("@stepwise/exercises/course");
  const folder = loadCourseFolder(demoCourseDir);
  const instructor = await ensureUser(db, DEMO.instructor, now);
  const student = await ensureUser(db, DEMO.student, now);
  const course =
    (await courseByJoinCode(db, DEMO.course.joinCode)) ??
    (await createCourse(db, { title: folder.course.title, joinCode: DEMO.course.joinCode, settings: folder.course.settings }, now));
  await enroll(db, { courseId: course.id, userId: instructor.id, role: "instructor" }, now);
  await enroll(db, { courseId: course.id, userId: student.id, role: "student" }, now);
  const existing = new Set((await assignmentsForCourse(db, course.id)).map((a) => a.exerciseId));
  for (const { assignment, position } of folder.assignments) {
    if (existing.has(assignment.exercise)) continue;
    const exercise = getExercise(assignment.exercise);
    const { exercise: _id, title, attempts, deadline, ...rest } = assignment;
    await createAssignment(
      db,
      {
        courseId: course.id,
        exerciseId: exercise.id,
        title: title ?? exercise.title,
        overrides: Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)),
        deadline: deadline ? Date.parse(deadline) : null,
        attemptsAllowed: attempts ?? folder.course.settings?.defaultAttempts ?? null,
        position,
      },
      now,
    );
  }
  return {
    instructor: { email: DEMO.instructor.email, password: DEMO.instructor.password },
    student: { email: DEMO.student.email, password: DEMO.student.password },
    courseId: course.id,
  };
}
