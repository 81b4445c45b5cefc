import { StepwiseError } from "../contracts/errors";

/** A verifier was called with numbers that cannot describe a real evaluation (a grader bug, not a student's). */
export class StatsInputError extends StepwiseError {
  constructor(message: string) {
    super(message, "STATS_INPUT");
  }
}

function assertCount(name: string, value: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new StatsInputError(`\`${name}\` must be an integer in 0..${max}, got ${value}`);
  }
}

function assertProbability(name: string, value: number, open = false): void {
  const ok = open ? value > 0 && value < 1 : value >= 0 && value <= 1;
  if (!ok || !Number.isFinite(value)) {
    throw new StatsInputError(`\`${name}\` must be a probability in ${open ? "(0, 1)" : "[0, 1]"}, got ${value}`);
  }
}

// Lanczos approximation (g = 7, n = 9): ~15 significant digits over the positive reals, which keeps
// log C(n, k) accurate to ~1e-8 absolute even at n = 10^6, where the log-gamma values reach 1.3e7.
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0. */
export function logGamma(x: number): number {
  if (!(x > 0)) throw new StatsInputError(`logGamma needs x > 0, got ${x}`);
  if (x < 0.5) {
    // Reflection keeps the series in its accurate range.
    return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  }
  const z = x - 1;
  let sum = LANCZOS[0] ?? 0;
  for (let i = 1; i < LANCZOS.length; i++) sum += (LANCZOS[i] ?? 0) / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

// Exact ln k! for small k avoids the Lanczos rounding where the values are smallest and matter most.
const LOG_FACTORIAL_TABLE: number[] = (() => {
  const table = [0];
  for (let k = 1; k <= 256; k++) table.push((table[k - 1] ?? 0) + Math.log(k));
  return table;
})();

export function logFactorial(k: number): number {
  return LOG_FACTORIAL_TABLE[k] ?? logGamma(k + 1);
}

/** ln C(n, k). */
export function logBinomialCoefficient(n: number, k: number): number {
  assertCount("n", n);
  assertCount("k", k, n);
  return logFactorial(n) - logFactorial(k) - logFactorial(n - k);
}

/** ln P(X = k) for X ~ Binomial(n, p), 0 < p < 1. */
function logBinomialPmf(k: number, n: number, logP: number, logQ: number): number {
  return logFactorial(n) - logFactorial(k) - logFactorial(n - k) + k * logP + (n - k) * logQ;
}

/**
 * ln P(X ≥ successes) for X ~ Binomial(n, p0): the log p-value of the exact one-sided test.
 * Stays finite where the p-value itself underflows (a 0.91 model against a 0.11 baseline gives
 * ln p ≈ −11000), so callers can still print "p < 1e-300" honestly.
 */
export function logBinomialTestGreater(successes: number, n: number, p0: number): number {
  assertCount("n", n);
  assertCount("successes", successes, n);
  assertProbability("p0", p0);
  if (successes === 0) return 0;
  if (p0 === 0) return -Infinity;
  if (p0 === 1) return 0;
  const logP = Math.log(p0);
  const logQ = Math.log1p(-p0);
  // The pmf is unimodal; summing from the largest term outward in log-sum-exp form avoids both
  // overflow of C(n, k) and underflow of p^k. Terms below max·e^-40 cannot change a double.
  const mode = Math.floor((n + 1) * p0);
  const start = Math.max(successes, Math.min(mode, n));
  const logMax = logBinomialPmf(start, n, logP, logQ);
  let sum = 0;
  for (let k = start; k <= n; k++) {
    const d = logBinomialPmf(k, n, logP, logQ) - logMax;
    sum += Math.exp(d);
    if (d < -40) break;
  }
  for (let k = start - 1; k >= successes; k--) {
    const d = logBinomialPmf(k, n, logP, logQ) - logMax;
    sum += Math.exp(d);
    if (d < -40) break;
  }
  return Math.min(0, logMax + Math.log(sum));
}

/**
 * Exact one-sided binomial test: P(X ≥ successes) for X ~ Binomial(n, p0).
 * H0: the model's accuracy is at most p0. A small value means `successes` correct out of `n` is
 * unlikely for a model no better than p0.
 */
export function binomialTestGreater(successes: number, n: number, p0: number): number {
  return Math.exp(logBinomialTestGreater(successes, n, p0));
}

/**
 * Smallest number of correct answers out of `n` that beats `p0` at level `alpha` (p < alpha);
 * `n + 1` when even a perfect score would not. Tells a student how far off a failing model is.
 */
export function minSuccessesToBeat(n: number, p0: number, alpha = 0.01): number {
  assertCount("n", n);
  assertProbability("p0", p0);
  assertProbability("alpha", alpha, true);
  const logAlpha = Math.log(alpha);
  let lo = 0;
  let hi = n + 1;
  // P(X ≥ k) falls as k grows, so the passing k form a suffix of 0..n.
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (logBinomialTestGreater(mid, n, p0) < logAlpha) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Inverse of the standard normal CDF (Acklam's rational approximation, relative error < 1.2e-9).
 */
export function normalQuantile(p: number): number {
  assertProbability("p", p, true);
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const poly = (coef: number[], x: number): number => coef.reduce((acc, v) => acc * x + v, 0);
  const pLow = 0.02425;
  if (p < pLow) {
    const q = Math.sqrt(-2 * Math.log(p));
    return poly(c, q) / (poly(d, q) * q + 1);
  }
  if (p > 1 - pLow) {
    const q = Math.sqrt(-2 * Math.log1p(-p));
    return -poly(c, q) / (poly(d, q) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return (poly(a, r) * q) / (poly(b, r) * r + 1);
}

export interface Interval {
  lower: number;
  upper: number;
  /** Confidence level, e.g. 0.95. */
  level: number;
}

/**
 * Wilson score interval for a proportion. Unlike the normal ("Wald") interval it stays inside [0, 1]
 * and is sensible at 0 or n successes, which small test slices in CI do produce.
 */
export function wilsonInterval(successes: number, n: number, confidence = 0.95): Interval {
  assertCount("n", n);
  assertCount("successes", successes, n);
  assertProbability("confidence", confidence, true);
  if (n === 0) return { lower: 0, upper: 1, level: confidence };
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const p = successes / n;
  const z2n = (z * z) / n;
  const denominator = 1 + z2n;
  const center = (p + z2n / 2) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / n + z2n / (4 * n));
  return { lower: Math.max(0, center - half), upper: Math.min(1, center + half), level: confidence };
}

/**
 * Regularized incomplete beta I_x(a, b) by Lentz's continued fraction (Numerical Recipes §6.4).
 * Used for the Student t distribution; also an independent cross-check of the binomial tail,
 * since P(X ≥ k) = I_p(k, n − k + 1).
 */
export function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (!(a > 0) || !(b > 0)) throw new StatsInputError(`incomplete beta needs a, b > 0, got a=${a}, b=${b}`);
  assertProbability("x", x);
  if (x === 0 || x === 1) return x;
  const logFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x);
  // The continued fraction converges fast only for x < (a+1)/(a+b+2); use the symmetry otherwise.
  if (x > (a + 1) / (a + b + 2)) return 1 - regularizedIncompleteBeta(1 - x, b, a);
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 10_000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a - 1 + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + 1 + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return (Math.exp(logFront) * h) / a;
}

/** CDF of Student's t distribution with `df` degrees of freedom. */
export function studentTCdf(t: number, df: number): number {
  if (!(df > 0)) throw new StatsInputError(`degrees of freedom must be > 0, got ${df}`);
  if (t === Infinity) return 1;
  if (t === -Infinity) return 0;
  const tail = 0.5 * regularizedIncompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** Quantile of Student's t distribution: the t with P(T ≤ t) = p. */
export function studentTQuantile(p: number, df: number): number {
  assertProbability("p", p, true);
  if (!(df > 0)) throw new StatsInputError(`degrees of freedom must be > 0, got ${df}`);
  if (p === 0.5) return 0;
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  // Bisection on a bracket that grows until it holds the answer: slow-ish but robust for df = 1,
  // where the tails are Cauchy-heavy and Newton steps overshoot.
  let lo = 0;
  let hi = Math.max(1, normalQuantile(p));
  while (studentTCdf(hi, df) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * Math.max(1, hi); i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
