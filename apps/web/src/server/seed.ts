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

/** Who the demo course is seeded for: its instructor and student, and the code that joins it. */
export interface DemoAccounts {
  instructor: { email: string; password: string; name: string };
  student: { email: string; password: string; name: string };
  joinCode: string;
}

const DEMO_ACCOUNTS: DemoAccounts = { instructor: DEMO.instructor, student: DEMO.student, joinCode: DEMO.course.joinCode };

/**
 * Demo data: an instructor, a student, and the demo course folder (`packages/exercises/courses/demo`,
 * the authoring format instructors write) with every assignment it holds. Idempotent — a second run
 * finds everything and changes nothing. `accounts` seeds another copy for other people (the browser
 * tests give each test file its own, on one platform).
 */
export async function seedDemo(
  db: Db,
  now: number,
  accounts: DemoAccounts = DEMO_ACCOUNTS,
): Promise<{ instructor: { email: string; password: string }; student: { email: string; password: string }; courseId: string }> {
  // Loaded lazily: the sign-in page imports DEMO from here and must not bundle the YAML reader.
  const { demoCourseDir, loadCourseFolder } = await import("@stepwise/exercises/course");
  const folder = loadCourseFolder(demoCourseDir);
  const instructor = await ensureUser(db, { ...accounts.instructor, role: "instructor" }, now);
  const student = await ensureUser(db, { ...accounts.student, role: "student" }, now);
  const course =
    (await courseByJoinCode(db, accounts.joinCode)) ??
    (await createCourse(db, { title: folder.course.title, joinCode: accounts.joinCode, settings: folder.course.settings }, now));
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
    instructor: { email: accounts.instructor.email, password: accounts.instructor.password },
    student: { email: accounts.student.email, password: accounts.student.password },
    courseId: course.id,
  };
}
