// `pnpm --filter @stepwise/db migrate`: brings the database named by DATABASE_URL up to date
// (default: the SQLite file the app uses, ./data/stepwise.db relative to the working directory).
import { openDb } from "../connection";
import { redact } from "../connection";
import { migrate } from "../migrations";

const url = process.env.DATABASE_URL ?? "file:./data/stepwise.db";
const db = await openDb(url);
try {
  await migrate(db);
  console.log(`Migrated ${redact(url)} (${db.dialect}).`);
} finally {
  await db.close();
}
