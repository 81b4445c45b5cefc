import type { ExperimentRun } from "@stepwise/db";
import type { z } from "zod";

/**
 * A stored experiment or tuning run's result, parsed with its schema, or why the student has none:
 * the run failed (the grader's message), its stored result is from a format this version cannot
 * read, the grader gave up on it (no budget spent), or it was cancelled. `noun` names the run in the
 * messages ("experiment", "search").
 */
export function runOutcome<T>(run: ExperimentRun, schema: z.ZodType<T>, noun: string): { result: T | null; failure: string | null } {
  if (run.outcome?.kind === "result") {
    const parsed = schema.safeParse(run.outcome.result);
    return parsed.success
      ? { result: parsed.data, failure: null }
      : { result: null, failure: `This ${noun}'s result was stored in a format this version cannot read; run the ${noun} again.` };
  }
  if (run.outcome?.kind === "failed") return { result: null, failure: run.outcome.message };
  if (run.status === "dead") {
    return {
      result: null,
      failure: `The grader could not run this ${noun} because of a problem on our side; it cost none of your budget. Try again later.`,
    };
  }
  if (run.status === "cancelled") return { result: null, failure: `This ${noun} was cancelled.` };
  return { result: null, failure: null };
}
