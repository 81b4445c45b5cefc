import { AssignmentFile, CourseSettings } from "@stepwise/exercises/course";
import { z } from "zod";

/**
 * Input schemas of the instructor procedures. Assignment overrides are the course-folder
 * `AssignmentFile` minus the keys stored as columns (exercise, title, attempts, deadline), so a
 * setting accepted here is one the folder export can write and the loader accepts.
 */
export const Id = z.string().min(1).max(100);

export const AssignmentOverrides = AssignmentFile.omit({ exercise: true, title: true, attempts: true, deadline: true })
  .strict()
  .describe(
    "Thresholds, budgets, seeds, late penalty, check visibility and hints for this assignment; absent keys keep the exercise's defaults",
  );
export type AssignmentOverrides = z.infer<typeof AssignmentOverrides>;

export const CourseTitle = z
  .string()
  .trim()
  .min(1, { message: "Enter a course title." })
  .max(200)
  .describe("Course title shown to students");

export { CourseSettings };

/** ms since the epoch (UTC); the form converts the instructor's local date and time. */
export const Deadline = z
  .number()
  .int()
  .min(0)
  .max(8_640_000_000_000_000)
  .nullable()
  .describe("Deadline in ms since the epoch, or null for none");

export const Attempts = z.number().int().min(1).max(1000).nullable().describe("Graded attempts per student, or null for unlimited");

export const AssignmentTitle = z.string().trim().max(200).describe("Title shown to students; empty for the exercise's own");

export const Position = z.number().int().min(1).max(99).describe("Order in the course (the NN of its course-folder file)");

export const CreateAssignmentInput = z
  .object({
    courseId: Id,
    exerciseId: z.string().min(1).max(100).describe("Built-in exercise id"),
    title: AssignmentTitle.optional(),
    overrides: AssignmentOverrides.default({}),
    deadline: Deadline.default(null),
    attemptsAllowed: Attempts.optional().describe("Graded attempts; the course's default when absent, null for unlimited"),
    position: Position.optional().describe("Order in the course; after the last assignment when absent"),
  })
  .strict();

export const UpdateAssignmentInput = z
  .object({
    assignmentId: Id,
    title: AssignmentTitle.optional(),
    overrides: AssignmentOverrides.optional(),
    deadline: Deadline.optional(),
    attemptsAllowed: Attempts.optional(),
    position: Position.optional(),
  })
  .strict();

/** Base64 of a zipped course folder; the cap matches the folder route's 10 MB (base64 is 4/3 larger). */
export const ZipBase64 = z
  .string()
  .min(1)
  .max(Math.ceil((10 * 1024 * 1024 * 4) / 3) + 4)
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, { message: "Expected base64 text of a zip file." })
  .describe("The zipped course folder, base64");
