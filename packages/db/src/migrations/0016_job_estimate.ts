import type { Kysely, Migration } from "kysely";

/**
 * The grader seconds an experiment or tuning run was estimated at when it was started: what the
 * student was shown and the budget held for it. Kept once the run is done, so the estimate can be
 * read beside what was charged (the measured time) and checked against it. Null for other jobs and
 * for runs started before this column existed.
 */
export function jobEstimate(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      // "double precision" is REAL on SQLite and float8 on PostgreSQL.
      await db.schema.alterTable("jobs").addColumn("estimate_seconds", "double precision").execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable("jobs").dropColumn("estimate_seconds").execute();
    },
  };
}
