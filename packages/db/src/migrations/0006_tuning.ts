import { type Kysely, type Migration } from "kysely";

/**
 * Tuning (issue 9): a hyperparameter search runs as an experiment job named `tune`; the search the
 * student declared (JSON of `TuningSearch`, parsed by the exercises package) is stored with its job,
 * so the grader runs exactly what was asked and the budget estimate of a queued search can be
 * recomputed from it. Null on every other job.
 */
export function tuning(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable("jobs").addColumn("tuning_search", "text").execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable("jobs").dropColumn("tuning_search").execute();
    },
  };
}
