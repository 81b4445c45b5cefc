import type { Check, Verdict } from "./verdict";

/** When a student looks: the assignment's deadline (null: none) and the time now, ms since the epoch. */
export interface VisibilityView {
  deadline: number | null;
  now: number;
}

/** Whether a student may see a check now: `never` ones never, `after_deadline` ones once the deadline has passed. */
export function checkShown(check: Pick<Check, "visibility">, view: VisibilityView): boolean {
  if (check.visibility === "always") return true;
  return check.visibility === "after_deadline" && view.deadline !== null && view.now >= view.deadline;
}

/**
 * Whether a verdict is withheld from the student now: any check they may not see decided it, so its
 * status, score and everything derived from them stay hidden. The web's student views and the
 * workflow's gating both ask this, so a step's lock state never tells what a view withholds.
 */
export function verdictWithheld(verdict: Pick<Verdict, "checks">, view: VisibilityView): boolean {
  return verdict.checks.some((check) => !checkShown(check, view));
}
