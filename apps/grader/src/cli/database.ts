/** The commands that read or write the database (DATABASE_URL, the embedded SQLite file by default). */
import { prepareTraining } from "@stepwise/exercises/grading";
import { assignmentPlace } from "@stepwise/exercises";
import {
  assertStepOpen,
  coursesForUser,
  assignmentsForCourse,
  createSubmissionWithJob,
  jobsOverview,
  migrate,
  openDb,
  userByEmail,
} from "@stepwise/db";
import { embeddedDefaults } from "../paths";
import { exerciseFrom } from "./args";
import { readSubmission } from "./input";
import { JOB_SECTIONS, jobsText } from "./jobs";
import { ProgressUsageError, progressText, studentProgress } from "./progress";
import { UsageError, type Values } from "./usage";
import { checkAsPlaced } from "./placed";

async function withDb<T>(run: (db: Awaited<ReturnType<typeof openDb>>) => Promise<T>): Promise<T> {
  const db = await openDb(process.env.DATABASE_URL ?? embeddedDefaults().databaseUrl);
  try {
    await migrate(db);
    return await run(db);
  } finally {
    await db.close();
  }
}

export async function submit(file: string | undefined, values: Values): Promise<number> {
  if (!file) throw new UsageError("submit needs a <file>.");
  const exercise = exerciseFrom(values);
  const payload = readSubmission(file, exercise, values);
  // The same checks as the web app's submission.create, before anything is stored; answers are graded by the grader.
  if (exercise.kind === "training") prepareTraining(exercise, payload, exercise.seed);
  return withDb(async (db) => {
    const email = values.student ?? "student@stepwise.test";
    const student = await userByEmail(db, email);
    if (!student) throw new UsageError(`No user with email ${email}.`);
    for (const course of await coursesForUser(db, student.id)) {
      const assignment = (await assignmentsForCourse(db, course.id)).find((a) => a.exerciseId === exercise.id);
      if (!assignment) continue;
      // The web app's gate: a step locked in a guided course refuses before anything is stored.
      await assertStepOpen(db, { assignment, userId: student.id, locate: assignmentPlace, now: Date.now() });
      // As the grader will place the exercise for this student (a guided project's IMDB vocabulary, say).
      await checkAsPlaced(db, { exercise, assignment, userId: student.id, payload, now: Date.now() });
      const { submission, job } = await createSubmissionWithJob(
        db,
        { assignmentId: assignment.id, userId: student.id, exerciseId: exercise.id, payload },
        Date.now(),
      );
      process.stdout.write(`${values.json ? JSON.stringify({ submissionId: submission.id, jobId: job.id }) : submission.id}\n`);
      return 0;
    }
    throw new UsageError(`${email} is enrolled in no course with an assignment of "${exercise.id}".`);
  });
}

/** Every project's seven steps with state and lock reason, from the workflow engine. */
export async function progress(values: Values): Promise<number> {
  if (!values.student) throw new UsageError("progress needs --student <email>.");
  const email = values.student;
  return withDb(async (db) => {
    try {
      const courses = await studentProgress(db, {
        email,
        now: Date.now(),
        ...(values.course !== undefined ? { courseId: values.course } : {}),
      });
      process.stdout.write(values.json ? `${JSON.stringify(courses, null, 2)}\n` : `${progressText(courses)}\n`);
      return 0;
    } catch (error) {
      if (error instanceof ProgressUsageError) throw new UsageError(error.message);
      throw error;
    }
  });
}

export async function jobs(values: Values): Promise<number> {
  const section = JOB_SECTIONS.find((s) => s === values.status);
  if (values.status !== undefined && !section)
    throw new UsageError(`--status must be one of ${JOB_SECTIONS.join(", ")}; got "${values.status}".`);
  const sections = section ? [section] : JOB_SECTIONS;
  return withDb(async (db) => {
    const overview = await jobsOverview(db, { ...(values.course ? { courseId: values.course } : {}), now: Date.now() });
    if (values.json) {
      const picked = {
        queued: sections.includes("queued") ? overview.queued : [],
        running: sections.includes("running") ? overview.running : [],
        failures: sections.includes("dead") ? overview.failures : [],
      };
      process.stdout.write(`${JSON.stringify(picked, null, 2)}\n`);
      return 0;
    }
    process.stdout.write(`${jobsText(overview, sections)}\n`);
    return 0;
  });
}
