import { z } from "zod";
import { exportCourseFolder, importCourseFolder } from "../services/course-folder";
import { Id, ZipBase64 } from "../services/teach-schemas";
import { teachCourseView } from "../services/teach-views";
import { courseProcedure, createTRPCRouter, instructorProcedure } from "../trpc";

/** A course as a course folder (assignments as files, datasets, settings), zipped and base64-encoded. */
export const folderRouter = createTRPCRouter({
  /** Instructors of the course: the course as a zipped folder (the GET route /api/teach/:courseId/folder serves the same bytes). */
  export: courseProcedure.instructor.input(z.object({ courseId: Id }).strict()).query(async ({ ctx }) => {
    const { fileName, zip } = await exportCourseFolder(ctx.db, ctx.course.id);
    return { fileName, zipBase64: Buffer.from(zip).toString("base64") };
  }),

  /** Instructors (global role): imports a zipped course folder as a new course taught by the caller. */
  import: instructorProcedure.input(z.object({ zipBase64: ZipBase64 }).strict()).mutation(async ({ ctx, input }) => {
    const { course, warnings } = await importCourseFolder(ctx.db, ctx.user, Buffer.from(input.zipBase64, "base64"), ctx.now());
    return { course: teachCourseView(course), warnings };
  }),
});
