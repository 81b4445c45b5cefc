import { type Kysely, type Migration, sql } from "kysely";

/**
 * A dataset's hidden test split belongs to the dataset: the seed it is drawn with is stored with the
 * upload, and no assignment's seed moves it. Datasets uploaded before this migration get 1337
 * (core's `CSV_SPLIT_SEED`): the seed every default assignment already split them with, so the rows
 * their students trained on stay training rows.
 */
export function datasetSplitSeed(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable("datasets")
        .addColumn("split_seed", "integer", (c) => c.notNull().defaultTo(sql.lit(1337)))
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable("datasets").dropColumn("split_seed").execute();
    },
  };
}
