import type { Kysely, Migration } from "kysely";

/**
 * A submission's canonical model fingerprint (`fingerprint.ts`), so the gradebook can show groups of
 * students who submitted identical work to an assignment. New submissions get it when stored; rows
 * from before stay null and are fingerprinted the first time the gradebook reads them (`identicalWork`),
 * so this migration reads no payloads. The empty string marks a submission without a model.
 */
export function submissionFingerprint(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable("submissions").addColumn("fingerprint", "text").execute();
      await db.schema
        .createIndex("submissions_assignment_fingerprint")
        .on("submissions")
        .columns(["assignment_id", "fingerprint"])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropIndex("submissions_assignment_fingerprint").execute();
      await db.schema.alterTable("submissions").dropColumn("fingerprint").execute();
    },
  };
}
