// Prints a one-time password-reset link for an account, for the operator to deliver:
// `pnpm --filter @stepwise/web reset-link <email>`.
import { createPasswordReset, openDb } from "@stepwise/db";
import { env } from "../src/env";
import { PASSWORD_RESET_TTL_MS } from "../src/server/routers/auth";

const email = process.argv[2]?.trim().toLowerCase();
if (!email) {
  console.error("Usage: reset-link <email>");
  process.exit(2);
}
const db = await openDb(env().DATABASE_URL);
try {
  const reset = await createPasswordReset(db, { email, now: Date.now(), ttlMs: PASSWORD_RESET_TTL_MS });
  if (!reset) {
    console.error(`No account with the e-mail ${email}.`);
    process.exitCode = 1;
  } else {
    console.log(`/reset-password?token=${reset.token}  (valid for ${PASSWORD_RESET_TTL_MS / 60_000} minutes, once)`);
  }
} finally {
  await db.close();
}
