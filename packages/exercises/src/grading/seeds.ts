import type { Check, MetricValue, Verdict } from "@stepwise/core/contracts";
import { aggregateSeeds, assembleVerdict, formatP, studentTQuantile, wilsonInterval, type GradedCheck } from "@stepwise/core/verify";
import { formatTarget, tally } from "./evaluate";
import type { TrainAndPredictResult } from "./run";
import { verdictFromRun } from "./run-verdict";
import { timedOutVerdict } from "./verdicts";

/** A prime stride between training seeds: far apart in the RNG's input, and seed i is stable as N grows. */
const SEED_STRIDE = 7919;
const MAX_SEED = 2 ** 31 - 1;

/**
 * Training seeds of N runs: seed_i = exerciseSeed + i·7919 (wrapped into [1, 2³¹−1], never 0), so
 * the first run is exactly the one-seed grading of before and the same submission always gets the
 * same N runs.
 */
export function trainingSeeds(exerciseSeed: number, count: number): number[] {
  if (!Number.isInteger(count) || count < 1 || count > 10)
    throw new RangeError(`the number of seeds must be an integer in 1..10, got ${count}`);
  return Array.from({ length: count }, (_, i) => {
    const raw = exerciseSeed + i * SEED_STRIDE;
    return raw >= 1 && raw <= MAX_SEED ? raw : ((((raw - 1) % MAX_SEED) + MAX_SEED) % MAX_SEED) + 1;
  });
}

export type SeedRunInput = Omit<Parameters<typeof verdictFromRun>[0], "result"> & {
  /** How many training seeds (the assignment's `seeds`, 1–10). */
  seeds: number;
  /**
   * Trains the prepared model once with training seed `seed` (run `index`, 0-based) within `maxSeconds`
   * and predicts the test inputs; the data stays fixed by the exercise's seed. Runs are sequential.
   */
  run: (seed: number, index: number, maxSeconds: number) => Promise<TrainAndPredictResult>;
};

interface SeedRun {
  seed: number;
  result: TrainAndPredictResult;
  verdict: Verdict;
}

/**
 * Steps 5 and 6 with N training seeds: the same model retrained N times, each run scored as a
 * one-seed run would be, then aggregated (`aggregateRuns`). The runs share the exercise's
 * `maxSeconds` (the submit-time estimate counts N× one run). A run that diverges or runs out of
 * time ends the grading with that run's verdict: the remaining seeds would not change it.
 * With one seed this is exactly `verdictFromRun` on one run.
 */
export async function gradeWithSeeds(input: SeedRunInput): Promise<Verdict> {
  const { exercise } = input;
  const seeds = trainingSeeds(exercise.seed, input.seeds);
  const limit = exercise.budgets.maxSeconds;
  const runs: SeedRun[] = [];
  let spentSeconds = 0;
  for (const [index, seed] of seeds.entries()) {
    const remaining = limit - spentSeconds;
    if (remaining <= 0) {
      const epochs = input.prepared.training.fit.epochs;
      return annotateStopped(timedOutVerdict({ limitSeconds: limit, lastEpoch: 0, epochs, history: [] }), seeds, index, limit);
    }
    const result = await input.run(seed, index, remaining);
    spentSeconds += result.report.durationMs / 1000;
    const verdict = verdictFromRun({ ...input, result });
    if (verdict.status !== "passed" && verdict.status !== "failed")
      return seeds.length > 1 ? annotateStopped(verdict, seeds, index, limit) : verdict;
    runs.push({ seed, result, verdict });
  }
  const [first] = runs;
  if (!first) throw new Error("grading with seeds ran no training");
  if (runs.length === 1) return first.verdict;
  return aggregateRuns(input, runs);
}

/** A run that stopped early, named: which seed, and that the N runs share one budget. */
function annotateStopped(verdict: Verdict, seeds: number[], index: number, limit: number): Verdict {
  const note = ` (training seed ${seeds[index]}, run ${index + 1} of ${seeds.length}; the ${seeds.length} runs share the ${limit} s budget)`;
  const [check, ...rest] = verdict.checks;
  return {
    ...verdict,
    summary: `${verdict.summary}${note}`,
    checks: check ? [{ ...check, message: `${check.message}${note}` }, ...rest] : verdict.checks,
    ...(verdict.environment ? { environment: { ...verdict.environment, seeds: seeds.slice(0, index + 1) } } : {}),
  };
}

/**
 * Step 7 trains three models already (before, after, final): it keeps one training seed whatever
 * the assignment's N, and says so.
 */
export function singleSeedNote(verdict: Verdict, seeds: number): Verdict {
  if (seeds <= 1) return verdict;
  const note = ` Graded with one training seed, not this assignment's ${seeds}: step 7 already retrains three models.`;
  return {
    ...verdict,
    summary: `${verdict.summary}${note}`,
    ...(verdict.environment ? { environment: { ...verdict.environment, seeds: [verdict.environment.seed] } } : {}),
  };
}

const rate = (x: number) => x.toFixed(3);

/**
 * The test metric over the seeds: mean, sample std and each seed's value. Accuracy carries the Wilson
 * 95 % interval of the pooled predictions (N·n answers, correct ones summed), which is centred on the
 * mean accuracy; it counts the N models' answers to the same n examples as separate trials, so it is
 * narrower than one run's interval and speaks to test-set noise only — the std is the seed spread.
 * MAE carries the 95 % t-interval over the test rows of each row's absolute error averaged over the
 * seeds, whose mean is the mean MAE.
 */
function testMetrics(
  input: SeedRunInput,
  runs: SeedRun[],
  labelSuffix: string,
): { metrics: Record<string, MetricValue>; sentence: string } {
  const regression = input.prepared.task.kind === "regression";
  const labels = input.testLabels;
  const n = labels.length;
  const perSeed = runs.map((run) => {
    if (regression) {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += Math.abs((labels[i] ?? 0) - (run.result.predictions[i] ?? Number.NaN));
      return sum / n;
    }
    const counts = tally(run.result.predictions, labels, Math.max(2, input.prepared.task.numClasses));
    return counts.correct / counts.n;
  });
  const finite = perSeed.map((v) => (Number.isFinite(v) ? v : Number.MAX_VALUE));
  const agg = aggregateSeeds(finite);
  const key = regression ? "testMae" : "testAccuracy";
  const name = regression ? "Test MAE (target's unit)" : "Test accuracy";
  const fmt = regression ? formatTarget : rate;
  let interval: MetricValue["interval"];
  if (regression) {
    const rowErrors = Array.from(
      { length: n },
      (_, i) => runs.reduce((s, run) => s + Math.abs((labels[i] ?? 0) - (run.result.predictions[i] ?? Number.NaN)), 0) / runs.length,
    );
    const sd = n > 1 ? Math.sqrt(rowErrors.reduce((s, e) => s + (e - agg.mean) ** 2, 0) / (n - 1)) : 0;
    const half = n > 1 ? (studentTQuantile(0.975, n - 1) * sd) / Math.sqrt(n) : 0;
    if (Number.isFinite(half)) interval = { lower: Math.max(0, agg.mean - half), upper: agg.mean + half, level: 0.95 };
  } else {
    const correct = runs.reduce(
      (s, run) => s + tally(run.result.predictions, labels, Math.max(2, input.prepared.task.numClasses)).correct,
      0,
    );
    interval = wilsonInterval(correct, n * runs.length, 0.95);
  }
  const metrics: Record<string, MetricValue> = {
    [key]: { label: `${name}${labelSuffix}, mean over ${runs.length} training seeds`, value: agg.mean, ...(interval ? { interval } : {}) },
    [`${key}Std`]: { label: `${name}, standard deviation over ${runs.length} training seeds`, value: agg.std },
  };
  runs.forEach((run, i) => {
    metrics[`${key}Seed${i + 1}`] = { label: `${name}, training seed ${run.seed} (run ${i + 1} of ${runs.length})`, value: finite[i] ?? 0 };
  });
  const within = interval ? ` (95% CI ${fmt(interval.lower)}–${fmt(interval.upper)}${regression ? "" : " of the pooled predictions"})` : "";
  return {
    metrics,
    sentence: `${regression ? "test MAE" : "test accuracy"} ${fmt(agg.mean)} ± ${fmt(agg.std)} (mean ± std over ${runs.length} seeds)${within}`,
  };
}

/** The first seed's metrics that are not aggregated keep their value and say whose they are. */
function firstSeedMetrics(first: Verdict, replaced: readonly string[]): Record<string, MetricValue> {
  const seedFree = new Set(["baseline", "baselineMae"]);
  const out: Record<string, MetricValue> = {};
  for (const [key, metric] of Object.entries(first.metrics)) {
    if (replaced.includes(key)) continue;
    out[key] = seedFree.has(key) ? metric : { ...metric, label: `${metric.label} — first seed` };
  }
  return out;
}

const checkOf = (verdict: Verdict, id: string): Check | undefined => verdict.checks.find((c) => c.id === id);

/**
 * N scored runs → one verdict. Step 5 passes only when every seed beats the baseline at p < 0.01
 * (conservative: the model must beat it however it is initialised); step 6 when a majority of seeds
 * overfit. Curves, the overfitting marker, diagnostics and the non-aggregated metrics are the first
 * seed's, and the verdict says so.
 */
function aggregateRuns(input: SeedRunInput, runs: SeedRun[]): Verdict {
  const [first] = runs;
  if (!first) throw new Error("aggregating seeds needs at least one run");
  const n = runs.length;
  const overfit = input.exercise.step === 6;
  const checkId = overfit ? "overfits" : "beats-baseline";
  const passing = runs.filter((run) => checkOf(run.verdict, checkId)?.passed === true);
  const failing = runs.find((run) => checkOf(run.verdict, checkId)?.passed !== true);
  const test = testMetrics(input, runs, overfit ? " (final epoch's weights)" : "");
  const replaced = ["testAccuracy", "testMae", "pValue"];
  const metrics: Record<string, MetricValue> = { ...firstSeedMetrics(first.verdict, replaced), ...test.metrics };

  let check: GradedCheck;
  if (overfit) {
    const needed = Math.floor(n / 2) + 1;
    const passed = passing.length >= needed;
    const shown = passed ? first.verdict : (failing?.verdict ?? first.verdict);
    const seedOf = passed ? first : (failing ?? first);
    const detail = checkOf(shown, checkId)?.message ?? "";
    const message = passed
      ? `${passing.length} of ${n} training seeds overfit (a majority, ${needed}, is needed). Seed ${seedOf.seed}: ${detail}`
      : `Only ${passing.length} of ${n} training seeds overfit; a majority (${needed}) is needed. Seed ${seedOf.seed}: ${detail}`;
    check = { id: checkId, passed, message, visibility: "always" };
    metrics.seedsOverfit = { label: `Training seeds that overfit (of ${n})`, value: passing.length };
  } else {
    const pValues = runs.map((run) => run.verdict.metrics.pValue?.value ?? 1);
    const largest = Math.max(...pValues);
    const pLabel = first.verdict.metrics.pValue?.label ?? "p-value";
    metrics.pValue = { label: `${pLabel}, largest over ${n} training seeds`, value: largest };
    const passed = passing.length === n;
    const rule = `Passing needs every seed to beat it at p < 0.01, a conservative rule: a model that beats it only with lucky initial weights fails.`;
    const message = passed
      ? `All ${n} training seeds beat the baseline: ${test.sentence}, largest ${formatP(largest)}. ${rule}`
      : `${passing.length} of ${n} training seeds beat the baseline; seed ${failing?.seed ?? first.seed} did not: ${checkOf(failing?.verdict ?? first.verdict, checkId)?.message ?? ""} Over all seeds: ${test.sentence}. ${rule}`;
    check = { id: checkId, passed, message, visibility: "always" };
  }

  const others: GradedCheck[] = first.verdict.checks
    .filter((c) => c.id !== checkId)
    // Checks other than the graded one (the claim check) are informational, as in one-seed verdicts.
    .map((c) => ({ ...c, required: false }));
  const environment = first.verdict.environment;
  return assembleVerdict({
    checks: [check, ...others],
    metrics,
    history: first.result.report.history,
    ...(first.verdict.curves.baseline !== undefined ? { baseline: first.verdict.curves.baseline } : {}),
    ...(first.verdict.curves.overfitEpoch !== undefined ? { overfitEpoch: first.verdict.curves.overfitEpoch } : {}),
    diagnostics: first.verdict.diagnostics,
    visibility: input.exercise.checkVisibility,
    summary: `${check.message} Curves and diagnostics show the first seed's run (seed ${first.seed}).`,
    ...(environment
      ? {
          environment: {
            ...environment,
            seeds: runs.map((run) => run.seed),
            durationMs: runs.reduce((s, run) => s + run.result.report.durationMs, 0),
          },
        }
      : {}),
  });
}
