/**
 * The selection-on-test policy, apart from the bookkeeping of reservations (test-evaluations.ts):
 * when does a student's configuration look chosen for its test score rather than its validation
 * curves? Pure: it reads the evaluations a student has already seen and decides.
 */
import { z } from "zod";

/** The verdict diagnostic code of the notice a flagged step-7 verdict carries (the web app shows it apart). */
export const SELECTED_ON_TEST = "selected-on-test";

/** Evidence that a configuration was chosen on its test score: an earlier one was at least as good on validation. */
export const SelectionFlag = z
  .object({
    higherIsBetter: z.boolean().describe("true for accuracies, false for losses and errors"),
    validationMetricName: z
      .string()
      .nullable()
      .describe("which validation metric both values are, e.g. valAccuracy (best epoch) or kfoldMean"),
    earlier: z
      .object({
        evaluationId: z.string(),
        submissionId: z.string(),
        configKey: z.string().describe("fingerprint of topology + training"),
        validationMetric: z.number(),
        testMetric: z.number(),
      })
      .describe("the already-evaluated configuration the student had seen a test score for"),
    current: z
      .object({ validationMetric: z.number(), testMetric: z.number().nullable() })
      .describe("the configuration submitted afterwards"),
  })
  .strict();
export type SelectionFlag = z.infer<typeof SelectionFlag>;

/** What the policy reads of an evaluation the student has already seen (a `TestEvaluation` is one). */
export interface EvaluatedConfiguration {
  id: string;
  submissionId: string;
  evaluatedAt: number | null;
  configKey: string | null;
  validationMetric: number | null;
  validationMetricName: string | null;
  testMetric: number | null;
  higherIsBetter: boolean;
}

/**
 * Was this configuration chosen on the test score? True when, before it was submitted, the student
 * had seen the test score of another configuration (different fingerprint) whose validation metric
 * was at least as good: the validation curves do not prefer the new one, only the test score can
 * have. The evidence is the earlier configuration with the best validation metric.
 */
export function selectionOnTest(
  current: {
    id: string;
    createdAt: number;
    configKey: string;
    validationMetric: number | null;
    validationMetricName: string | null;
    testMetric: number | null;
    higherIsBetter: boolean;
  },
  others: readonly EvaluatedConfiguration[],
): SelectionFlag | null {
  if (current.validationMetric === null) return null;
  const better = (a: number, b: number) => (current.higherIsBetter ? a > b : a < b);
  let evidence: SelectionFlag["earlier"] | null = null;
  for (const e of others) {
    if (e.id === current.id || e.evaluatedAt === null || e.evaluatedAt > current.createdAt) continue;
    if (e.configKey === null || e.configKey === current.configKey || e.validationMetric === null || e.testMetric === null) continue;
    // Unlike metrics (best-epoch validation loss against a K-fold mean MAE) say nothing about each other.
    if (e.validationMetricName !== current.validationMetricName || e.higherIsBetter !== current.higherIsBetter) continue;
    if (better(current.validationMetric, e.validationMetric)) continue;
    if (evidence === null || better(e.validationMetric, evidence.validationMetric)) {
      evidence = {
        evaluationId: e.id,
        submissionId: e.submissionId,
        configKey: e.configKey,
        validationMetric: e.validationMetric,
        testMetric: e.testMetric,
      };
    }
  }
  if (evidence === null) return null;
  return {
    higherIsBetter: current.higherIsBetter,
    validationMetricName: current.validationMetricName,
    earlier: evidence,
    current: { validationMetric: current.validationMetric, testMetric: current.testMetric },
  };
}
