// Seeds the demo course into DATABASE_URL (default <repo>/data/stepwise.db): `pnpm seed` from apps/web.
import { migrate, openDb } from "@stepwise/db";
import { env } from "../src/env";
import { seedDemo } from "../src/server/seed";

const url = env().DATABASE_URL;
const db = await openDb(url);
try {
  await migrate(db);
  const demo = await seedDemo(db, Date.now());
  console.log(`Seeded ${url}`);
  console.log(`  course     ${demo.courseId} (join code DEMO-2026)`);
  console.log(`  instructor ${demo.instructor.email} / ${demo.instructor.password}`);
  console.log(`  student    ${demo.student.email} / ${demo.student.password}`);
} finally {
  await db.close();
}
