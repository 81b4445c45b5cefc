// Numbers as the student reads them in check messages: short, and never "p = 0".

/** 0.91234 → "0.912"; a value exact at 4 decimals keeps them (a 0.1135 baseline is not "0.114"). */
export function formatRate(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const four = value.toFixed(4);
  return Number(four) === value && Number(value.toFixed(3)) !== value ? four : value.toFixed(3);
}

/** "p < 0.0001", "p = 0.028", "p = 0.31": two significant digits are all a decision needs. */
export function formatP(p: number): string {
  if (p < 0.0001) return "p < 0.0001";
  return `p = ${Number(p.toPrecision(2))}`;
}

/** A loss or error value with 3 significant digits. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value !== 0 && (Math.abs(value) >= 1e4 || Math.abs(value) < 1e-3)) return value.toExponential(2);
  return Number(value.toPrecision(3)).toString();
}

/**
 * Below this many hidden test rows a rate is reported coarsely: at four decimals every correct
 * answer more or less shows, so a student who submits constant predictions reads the hidden
 * labels' class counts back one evaluation at a time.
 */
export const SMALL_TEST_SPLIT = 200;

/** The step a rate measured on `n` test rows is reported to: no finer than about three rows' worth, and two decimals at most. */
export function splitStep(n: number): number | undefined {
  if (n >= SMALL_TEST_SPLIT) return undefined;
  return [0.01, 0.02, 0.05, 0.1].find((step) => step >= 3 / n) ?? 0.1;
}

/** A rate on `n` test rows rounded to what that split supports (unchanged on a large split). */
export function roundRate(value: number, n: number): number {
  const step = splitStep(n);
  return step === undefined ? value : Number((Math.round(value / step) * step).toFixed(2));
}

/** "0.95" on a 60-row split, "0.9372" on a large one. */
export function formatRateOn(value: number, n: number): string {
  return splitStep(n) === undefined ? formatRate(value) : roundRate(value, n).toFixed(2);
}
