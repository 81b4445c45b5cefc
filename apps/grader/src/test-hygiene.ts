/**
 * Test-set hygiene for step 7 (issue 9): when a graded step-7 submission held a test evaluation
 * (reserved by the web app with the submission), record what the student saw — the regularized
 * model's validation metric from the comparison run, the final model's test metric, a fingerprint
 * of the configuration — and, when the configuration can only have been preferred for its test score,
 * tell the student with the evidence.
 */
import { createHash } from "node:crypto";
import type { Diagnostic, Verdict } from "@stepwise/core/contracts";
import { type Db, recordTestEvaluationResult, SELECTED_ON_TEST, testEvaluationForJob, type SelectionFlag } from "@stepwise/db";
import type { PreparedTraining } from "@stepwise/exercises/grading";

export { SELECTED_ON_TEST };

/** JSON with sorted keys: the same configuration always hashes the same. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

const LAYER_REFERENCES = new Set(["inbound_nodes", "input_layers", "output_layers"]);

/**
 * Layer names are generated (TF.js numbers them per browser session: `dense_Dense3`), so the same
 * architecture built twice differs only in them. Each name becomes its order of first appearance.
 */
function withoutGeneratedNames(topology: Record<string, unknown>): unknown {
  const names = new Map<string, string>();
  const collect = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(collect);
    else if (value !== null && typeof value === "object") {
      for (const [key, inner] of Object.entries(value)) {
        if (key === "name" && typeof inner === "string" && !names.has(inner)) names.set(inner, `#${names.size}`);
        else collect(inner);
      }
    }
  };
  collect(topology);
  // Only where names are used: a `name`, and the graph's references to layers (a layer named "relu"
  // must not rename the activation "relu").
  const rename = (value: unknown, reference: boolean): unknown => {
    if (typeof value === "string") return reference ? (names.get(value) ?? value) : value;
    if (Array.isArray(value)) return value.map((v) => rename(v, reference));
    if (value !== null && typeof value === "object") {
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => [k, rename(v, reference || k === "name" || LAYER_REFERENCES.has(k))]),
      );
    }
    return value;
  };
  return rename(topology, false);
}

/** Fingerprint of a configuration: the model's topology (names aside) and its training settings. */
export function configFingerprint(prepared: Pick<PreparedTraining, "topology" | "training">): string {
  const text = JSON.stringify(canonical({ topology: withoutGeneratedNames(prepared.topology), training: prepared.training }));
  return createHash("sha256").update(text).digest("hex").slice(0, 32);
}

export interface MeasuredEvaluation {
  validationMetric: number | null;
  validationMetricName: string;
  testMetric: number | null;
  higherIsBetter: boolean;
}

/**
 * What a step-7 verdict measured. Validation: the K-fold mean when K-fold was used, else the best
 * epoch of the regularized model's curves (the run the verdict shows): highest validation accuracy,
 * or lowest validation loss for a regression. Test: the final model's accuracy or MAE.
 */
export function measuredEvaluation(verdict: Verdict): MeasuredEvaluation {
  const regression = verdict.metrics.testMae !== undefined;
  const testMetric = (regression ? verdict.metrics.testMae : verdict.metrics.testAccuracy)?.value ?? null;
  const kfold = verdict.metrics.kfoldMean?.value;
  if (kfold !== undefined) return { validationMetric: kfold, validationMetricName: "kfoldMean", testMetric, higherIsBetter: !regression };
  const values = verdict.curves.history
    .map((e) => (regression ? e.valLoss : e.valAccuracy))
    .filter((v): v is number => v !== undefined && Number.isFinite(v));
  const validationMetric = values.length === 0 ? null : regression ? Math.min(...values) : Math.max(...values);
  return { validationMetric, validationMetricName: regression ? "valLoss" : "valAccuracy", testMetric, higherIsBetter: !regression };
}

const fmt = (x: number | null) => (x === null ? "—" : Number(x.toPrecision(4)).toString());

/** The notice the student reads: the two validation/test pairs, and why the test score should not decide. */
export function selectionNotice(flag: SelectionFlag): Diagnostic {
  const regression = !flag.higherIsBetter;
  const val =
    flag.validationMetricName === "kfoldMean"
      ? `K-fold validation ${regression ? "MAE" : "accuracy"}`
      : `best validation ${regression ? "loss" : "accuracy"}`;
  const test = `test ${regression ? "MAE" : "accuracy"}`;
  return {
    code: SELECTED_ON_TEST,
    message:
      `You had already seen the test score of an earlier configuration that was at least as good on validation ` +
      `(${val} ${fmt(flag.earlier.validationMetric)}, ${test} ${fmt(flag.earlier.testMetric)}) as this one ` +
      `(${val} ${fmt(flag.current.validationMetric)}, ${test} ${fmt(flag.current.testMetric)}). ` +
      "The validation curves do not prefer this configuration, so choosing it can only rest on the test score — and a test set used for choosing no longer measures how the model does on new data. Your instructor sees this note.",
    hint: "Choose between configurations on the validation curves (Debugging, Tune) and keep the test set for the one final check.",
  };
}

/**
 * Records the step-7 evaluation this job holds (if any) and adds the notice when the configuration was
 * selected on test. Verdicts that gave no test score (invalid, timed out, …) record nothing; a job
 * without a reservation (a regrade, or a submission from before the limit existed) changes nothing.
 * Never loses the verdict: a failure to record is returned as a log line.
 */
export async function recordStep7Evaluation(
  db: Db,
  input: { jobId: string; prepared: Pick<PreparedTraining, "topology" | "training">; verdict: Verdict; now: number },
): Promise<{ verdict: Verdict; log: string }> {
  const { verdict } = input;
  if (verdict.status !== "passed" && verdict.status !== "failed") return { verdict, log: "" };
  try {
    const evaluation = await testEvaluationForJob(db, input.jobId);
    if (!evaluation) return { verdict, log: "" };
    const measured = measuredEvaluation(verdict);
    const { flag } = await recordTestEvaluationResult(db, evaluation.id, {
      ...measured,
      configKey: configFingerprint(input.prepared),
      now: input.now,
    });
    const log = `test evaluation ${evaluation.id}: validation ${fmt(measured.validationMetric)}, test ${fmt(measured.testMetric)}${flag ? ", selected on test (flagged)" : ""}\n`;
    return { verdict: flag ? { ...verdict, diagnostics: [...verdict.diagnostics, selectionNotice(flag)] } : verdict, log };
  } catch (error) {
    return { verdict, log: `could not record the test evaluation: ${error instanceof Error ? error.message : String(error)}\n` };
  }
}
