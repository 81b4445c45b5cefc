import { NotFoundError } from "@stepwise/core/contracts";
import { assignmentsUsingDataset, createDataset, datasetByFile, DATASET_LIMITS, datasetsForCourse, deleteDataset } from "@stepwise/db";
import { previewCsv, smallTestSplitWarning } from "@stepwise/exercises/answers";
import { z } from "zod";
import { courseProcedure, createTRPCRouter } from "../trpc";

const courseId = z.string().min(1).max(100).describe("The course the dataset belongs to");
const file = z.string().trim().min(1).max(200).describe("The dataset's file name in the course, e.g. data/loans.csv");

/** A course's uploaded tables. Instructors of the course only. */
export const courseDatasetRouter = createTRPCRouter({
  /**
   * Stores a CSV in the course after validating it (header, consistent rows, numbers throughout
   * numeric columns, size and row caps); errors name the line and column. `warnings` says what is
   * stored but will grade poorly (a hidden test split under 200 rows).
   */
  upload: courseProcedure.instructor
    .input(
      z
        .object({
          courseId,
          file,
          csv: z
            .string()
            .min(1, { message: "The CSV file is empty." })
            .max(DATASET_LIMITS.maxBytes, { message: `A dataset is at most ${DATASET_LIMITS.maxBytes / (1024 * 1024)} MB.` })
            .describe("The CSV text: a header row, then one example per row"),
        })
        .strict(),
    )
    .mutation(async ({ ctx, input }) => {
      const { summary, ...dataset } = await createDataset(
        ctx.db,
        { courseId: input.courseId, file: input.file, csv: input.csv, createdBy: ctx.user.id },
        ctx.now(),
      );
      const small = smallTestSplitWarning(dataset.rows);
      return { dataset, columns: summary, warnings: small ? [small] : [] };
    }),

  /** The course's datasets (no contents), each with the assignments that use it. */
  list: courseProcedure.instructor.input(z.object({ courseId }).strict()).query(async ({ ctx, input }) => {
    const datasets = await datasetsForCourse(ctx.db, input.courseId);
    return Promise.all(datasets.map(async (d) => ({ ...d, usedBy: await assignmentsUsingDataset(ctx.db, input.courseId, d.file) })));
  }),

  /** Deletes a dataset no assignment uses (PRECONDITION_FAILED names the ones that do). */
  remove: courseProcedure.instructor.input(z.object({ courseId, file }).strict()).mutation(async ({ ctx, input }) => {
    await deleteDataset(ctx.db, input.courseId, input.file);
    return { removed: input.file };
  }),

  /**
   * Columns, their types and, for the chosen target and task, the class balance or the target's
   * range — measured on the training rows only, with a few training rows as a sample. The seeded
   * 20% test split is counted, never shown.
   */
  preview: courseProcedure.instructor
    .input(
      z
        .object({
          courseId,
          file,
          target: z.string().min(1).max(200).describe("The column to predict"),
          task: z.enum(["binary", "multiclass", "regression"]).describe("What kind of prediction the target calls for"),
        })
        .strict(),
    )
    .query(async ({ ctx, input }) => {
      const dataset = await datasetByFile(ctx.db, input.courseId, input.file);
      if (!dataset) throw new NotFoundError(`This course has no dataset named ${input.file}.`);
      return previewCsv(dataset.csv, { file: dataset.file, target: input.target, task: input.task, splitSeed: dataset.splitSeed });
    }),
});
