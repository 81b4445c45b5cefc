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
