/**
 * How the browser's tRPC client may batch, shared with the server that enforces it (`server/http.ts`).
 */

/** The most procedures one HTTP request may call: a page batches a few queries, never dozens. */
export const MAX_BATCH_CALLS = 10;

/**
 * Procedures that must travel alone: each costs a password hash, so a batch of them would multiply
 * the work of one request past every per-request limit.
 */
export const UNBATCHABLE: ReadonlySet<string> = new Set(["auth.signIn", "auth.signUp", "auth.changePassword", "auth.resetPassword"]);
