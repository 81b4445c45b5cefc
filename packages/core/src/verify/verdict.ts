import type { EpochMetrics } from "../contracts/training";
import type { Check, CheckVisibility, Diagnostic, Environment, MetricValue, Verdict, VerdictStatus } from "../contracts/verdict";

/** A check plus whether the step requires it. Informational checks (e.g. the claim) don't gate the score. */
export type GradedCheck = Check & { required?: boolean };

export interface VerdictParts {
  checks: readonly GradedCheck[];
  metrics?: Record<string, MetricValue>;
  history?: readonly EpochMetrics[];
  baseline?: number;
  overfitEpoch?: number;
  diagnostics?: readonly Diagnostic[];
  environment?: Environment;
  /** Per-check visibility from the exercise or assignment (`ExerciseDefinition.checkVisibility`). */
  visibility?: Record<string, CheckVisibility>;
  /** Overrides the generated one-sentence summary. */
  summary?: string;
}

/**
 * Every exercise builds its verdict here, so scoring is the same everywhere:
 * score = fraction of required checks passed; passed iff every required check passed.
 * A step with no required check passes with score 1.
 */
export function assembleVerdict(parts: VerdictParts): Verdict {
  const required = parts.checks.filter((check) => check.required !== false);
  const passedCount = required.filter((check) => check.passed).length;
  const allPassed = passedCount === required.length;
  const score = required.length === 0 ? 1 : passedCount / required.length;
  const firstFailure = required.find((check) => !check.passed);
  const summary =
    parts.summary ??
    (allPassed
      ? `All ${required.length} required check${required.length === 1 ? "" : "s"} passed.`
      : `${passedCount} of ${required.length} required checks passed. ${firstFailure?.message ?? ""}`.trim());
  return {
    status: allPassed ? "passed" : "failed",
    score,
    summary,
    checks: parts.checks.map((check) => ({
      id: check.id,
      passed: check.passed,
      message: check.message,
      visibility: parts.visibility?.[check.id] ?? check.visibility,
    })),
    metrics: { ...parts.metrics },
    curves: curves(parts),
    diagnostics: [...(parts.diagnostics ?? [])],
    ...(parts.environment ? { environment: parts.environment } : {}),
  };
}

export type NonGradedStatus = Exclude<VerdictStatus, "passed" | "failed">;

/**
 * Verdicts for runs that never reached the checks: rejected input (`invalid`, costs no attempt),
 * grader faults (`error`), and the student's model running out of time or memory or diverging.
 * Score 0; what partial history exists is kept so the student can see how far it got.
 */
export function statusVerdict(
  status: NonGradedStatus,
  summary: string,
  parts: Omit<VerdictParts, "checks" | "summary"> & { checks?: readonly GradedCheck[] } = {},
): Verdict {
  return {
    ...assembleVerdict({ ...parts, checks: parts.checks ?? [], summary }),
    status,
    score: 0,
  };
}

function curves(parts: VerdictParts): Verdict["curves"] {
  return {
    history: [...(parts.history ?? [])],
    ...(parts.baseline !== undefined ? { baseline: parts.baseline } : {}),
    ...(parts.overfitEpoch !== undefined ? { overfitEpoch: parts.overfitEpoch } : {}),
  };
}

/** Does this verdict use up one of the student's attempts? `invalid` and `error` don't. */
export function countsAsAttempt(status: VerdictStatus): boolean {
  return status !== "invalid" && status !== "error";
}
