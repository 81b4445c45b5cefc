import type { Kysely, Migration } from "kysely";

/**
 * The speed correction per dataset: a JSON object from dataset key (`datasetKey`: `mnist`, `imdb`,
 * `csv:<course>:<file>`) to that dataset's measured over predicted epoch seconds. One factor per
 * grader missed MNIST and IMDB in opposite directions. `speed_correction` (0018) stays the figure
 * over all datasets: the fallback for a dataset without its own, and what web versions from before read.
 * Null for graders from before and until a training completes.
 */
export function calibrationDatasetCorrections(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable("grader_calibrations").addColumn("speed_corrections", "text").execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable("grader_calibrations").dropColumn("speed_corrections").execute();
    },
  };
}
