// Migrates DATABASE_URL (default <repo>/data/stepwise.db) and, with STEPWISE_DEMO=1, seeds the demo
// course and its accounts: `pnpm seed` from apps/web. The demo passwords are public, so never by default.
import { migrate, openDb } from "@stepwise/db";
import { env } from "../src/env";
import { seedDemo } from "../src/server/seed";

const url = env().DATABASE_URL;
const db = await openDb(url);
try {
  await migrate(db);
  if (env().STEPWISE_DEMO) {
    const demo = await seedDemo(db, Date.now());
    console.log(`Seeded ${url}`);
    console.log(`  course     ${demo.courseId} (join code DEMO-2026)`);
    console.log(`  instructor ${demo.instructor.email} / ${demo.instructor.password}`);
    console.log(`  student    ${demo.student.email} / ${demo.student.password}`);
  } else {
    console.log(`Migrated ${url}; no demo accounts (their passwords are public): set STEPWISE_DEMO=1 to seed them.`);
  }
} finally {
  await db.close();
}
