import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  binomialTestGreater,
  logBinomialCoefficient,
  logBinomialTestGreater,
  logGamma,
  minSuccessesToBeat,
  normalQuantile,
  regularizedIncompleteBeta,
  StatsInputError,
  studentTCdf,
  studentTQuantile,
  wilsonInterval,
} from "./stats";

/** Exact upper tail with BigInt rationals: an oracle independent of log-gamma. */
function exactUpperTail(k: number, n: number, num: number, den: number): number {
  let total = 0n;
  let coef = 1n; // C(n, 0)
  const p = BigInt(num);
  const q = BigInt(den - num);
  for (let i = 0; i <= n; i++) {
    if (i >= k) total += coef * p ** BigInt(i) * q ** BigInt(n - i);
    coef = (coef * BigInt(n - i)) / BigInt(i + 1);
  }
  const scale = BigInt(den) ** BigInt(n);
  // 1e15 fixed point keeps 15 digits of the ratio.
  return Number((total * 10n ** 15n) / scale) / 1e15;
}

describe("binomialTestGreater", () => {
  // Reference values from scipy.stats.binom.sf(k - 1, n, p).
  it.each([
    [60, 100, 0.5, 0.028443966820490444],
    [1135, 10_000, 0.1, 5.334056484980122e-6],
    [1180, 10_000, 0.1135, 0.08089820707566145],
    [5, 10, 0.5, 0.623046875],
    [0, 10, 0.3, 1],
    [10, 10, 0.3, 5.9049e-6],
    [7, 20, 0.1, 0.002386089408966118],
    [118, 1000, 0.1, 0.03485968116034238],
    [500_500, 1_000_000, 0.5, 0.15889734568166486],
    [501_000, 1_000_000, 0.5, 0.0228041499326948],
  ])("P(X ≥ %i | n=%i, p=%f) = %f", (k, n, p, expected) => {
    expect(binomialTestGreater(k, n, p)).toBeCloseTo(expected, 8);
    expect(binomialTestGreater(k, n, p) / expected).toBeCloseTo(1, 6);
  });

  it("MNIST: 1135 ones out of 10,000 beat 0.1 with p well below 0.01 — why the baseline must be the majority rate", () => {
    expect(binomialTestGreater(1135, 10_000, 0.1)).toBeLessThan(1e-5);
    expect(binomialTestGreater(1135, 10_000, 0.1135)).toBeGreaterThan(0.4);
  });

  it("keeps the log p-value finite where the p-value underflows", () => {
    expect(binomialTestGreater(9120, 10_000, 0.1135)).toBe(0);
    const logP = logBinomialTestGreater(9120, 10_000, 0.1135);
    expect(Number.isFinite(logP)).toBe(true);
    expect(logP).toBeLessThan(-10_000);
    // scipy: binom.logsf(5999, 10000, 0.5)
    expect(logBinomialTestGreater(6000, 10_000, 0.5)).toBeCloseTo(-205.06908730489718, 6);
  });

  it.each([
    [0, 0, 0.5, 1],
    [0, 5, 0, 1],
    [1, 5, 0, 0],
    [3, 5, 1, 1],
  ])("edge case k=%i n=%i p=%f → %f", (k, n, p, expected) => {
    expect(binomialTestGreater(k, n, p)).toBe(expected);
  });

  it("agrees with an exact BigInt computation", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 120 }),
        fc.integer({ min: 1, max: 19 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (n, num, frac) => {
          const k = Math.floor(frac * n);
          const expected = exactUpperTail(k, n, num, 20);
          const got = binomialTestGreater(k, n, num / 20);
          expect(Math.abs(got - expected)).toBeLessThan(1e-12 + 1e-9 * expected);
        },
      ),
      { numRuns: 200, seed: 42 },
    );
  });

  it("agrees with the incomplete beta identity P(X ≥ k) = I_p(k, n − k + 1)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5000 }),
        fc.double({ min: 0.01, max: 0.99, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (n, p, frac) => {
          const k = Math.max(1, Math.ceil(frac * n));
          const viaBeta = regularizedIncompleteBeta(p, k, n - k + 1);
          const got = binomialTestGreater(k, n, p);
          expect(Math.abs(got - viaBeta)).toBeLessThan(1e-9 + 1e-7 * viaBeta);
        },
      ),
      { numRuns: 200, seed: 7 },
    );
  });

  it("runs a 10^6-trial test in well under a second", () => {
    const start = performance.now();
    expect(binomialTestGreater(999_000, 1_000_000, 0.5)).toBe(0);
    // Doubles carry ln(10^6!) ≈ 1.3e7 to ~2e-9 absolute, so "1" comes out within 1e-8 of it.
    expect(binomialTestGreater(100, 1_000_000, 0.5)).toBeCloseTo(1, 8);
    expect(performance.now() - start).toBeLessThan(1000);
  });

  it.each([
    [-1, 10, 0.5],
    [11, 10, 0.5],
    [1.5, 10, 0.5],
    [1, 10, 1.5],
    [1, 10, Number.NaN],
  ])("rejects k=%f n=%f p=%f", (k, n, p) => {
    expect(() => binomialTestGreater(k, n, p)).toThrow(StatsInputError);
  });
});

describe("log-gamma and binomial coefficients", () => {
  it.each([
    [1, 0],
    [2, 0],
    [0.5, Math.log(Math.sqrt(Math.PI))],
    [10, Math.log(362_880)],
    [0.1, 2.252712651734206],
  ])("lnΓ(%f) = %f", (x, expected) => {
    expect(logGamma(x)).toBeCloseTo(expected, 12);
  });

  it("ln C(1e6, 5e5) matches Stirling's series", () => {
    const n = 1_000_000;
    // ln C(2m, m) = 2m ln 2 − ½ ln(πm) − 1/(8m) + O(m⁻³)
    const m = n / 2;
    expect(logBinomialCoefficient(n, m)).toBeCloseTo(n * Math.LN2 - 0.5 * Math.log(Math.PI * m) - 1 / (8 * m), 6);
    expect(logBinomialCoefficient(52, 5)).toBeCloseTo(Math.log(2_598_960), 12);
  });
});

describe("minSuccessesToBeat", () => {
  // Smallest k with scipy binom.sf(k - 1, n, p) < 0.01.
  it.each([
    [10_000, 0.1135, 1210],
    [10_000, 0.5, 5117],
    [100, 0.5, 63],
  ])("n=%i p=%f → %i", (n, p, expected) => {
    expect(minSuccessesToBeat(n, p, 0.01)).toBe(expected);
  });

  it("says n + 1 when no score can be significant", () => {
    expect(minSuccessesToBeat(3, 0.5, 0.01)).toBe(4);
  });
});

describe("wilsonInterval", () => {
  // Closed-form Wilson bounds computed in Python with z = norm.ppf(0.975) / 0.995.
  it.each([
    [9120, 10_000, 0.95, 0.9062881269633114, 0.9173954583792512],
    [60, 100, 0.95, 0.5020025867910618, 0.6905987135675411],
    [60, 100, 0.99, 0.4714191179308223, 0.7161367445260132],
    [0, 10, 0.95, 0, 0.2775327998628892],
    [10, 10, 0.95, 0.7224672001371107, 1],
    [1135, 10_000, 0.95, 0.1074307727958436, 0.11986605794468941],
  ])("%i/%i at %f → [%f, %f]", (k, n, level, lower, upper) => {
    const interval = wilsonInterval(k, n, level);
    expect(interval.lower).toBeCloseTo(lower, 8);
    expect(interval.upper).toBeCloseTo(upper, 8);
    expect(interval.level).toBe(level);
  });

  it("contains the observed rate and stays inside [0, 1]", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), fc.double({ min: 0, max: 1, noNaN: true }), (n, frac) => {
        const k = Math.round(frac * n);
        const { lower, upper } = wilsonInterval(k, n);
        expect(lower).toBeGreaterThanOrEqual(0);
        expect(upper).toBeLessThanOrEqual(1);
        expect(lower).toBeLessThanOrEqual(k / n + 1e-12);
        expect(upper).toBeGreaterThanOrEqual(k / n - 1e-12);
      }),
      { numRuns: 300, seed: 3 },
    );
  });

  it("is [0, 1] without data", () => {
    expect(wilsonInterval(0, 0)).toEqual({ lower: 0, upper: 1, level: 0.95 });
  });
});

describe("normalQuantile", () => {
  it.each([
    [0.5, 0],
    [0.975, 1.959963984540054],
    [0.995, 2.5758293035489004],
    [0.9, 1.2815515655446004],
    [0.02425, -1.972961051311885],
    [1e-10, -6.361340902404056],
  ])("Φ⁻¹(%f) = %f", (p, expected) => {
    expect(normalQuantile(p)).toBeCloseTo(expected, 7);
  });

  it.each([0, 1, -0.1, Number.NaN])("rejects %f", (p) => {
    expect(() => normalQuantile(p)).toThrow(StatsInputError);
  });
});

describe("Student t", () => {
  // scipy.stats.t.ppf
  it.each([
    [0.95, 1, 6.313752],
    [0.95, 2, 2.919986],
    [0.95, 4, 2.131847],
    [0.95, 9, 1.833113],
    [0.975, 1, 12.706205],
    [0.975, 2, 4.302653],
    [0.975, 4, 2.776445],
    [0.975, 30, 2.042272],
    [0.99, 5, 3.36493],
    [0.995, 100, 2.625891],
  ])("t(%f, df=%i) = %f", (p, df, expected) => {
    expect(studentTQuantile(p, df)).toBeCloseTo(expected, 5);
    expect(studentTQuantile(1 - p, df)).toBeCloseTo(-expected, 5);
    expect(studentTCdf(expected, df)).toBeCloseTo(p, 6);
  });
});
