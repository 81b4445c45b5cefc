/**
 * Y-axis ticks a reader can tell apart: "nice" steps (1, 2 or 5 × 10^k) with as many decimals as the
 * step needs, so no two labels print the same ("0.69 0.69 0.69" on a flat loss). Accuracy-like
 * axes (`bounds: [0, 1]`) never run past 1 or below 0.
 */
export interface Axis {
  domain: [number, number];
  ticks: number[];
  format: (value: number) => string;
}

function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const unit = raw / magnitude;
  return (unit <= 1 ? 1 : unit <= 2 ? 2 : unit <= 5 ? 5 : 10) * magnitude;
}

export function axisFor(
  values: ReadonlyArray<number | null | undefined>,
  options: { bounds?: [number, number]; count?: number } = {},
): Axis {
  const finite = values.filter((v): v is number => typeof v === "number" && Number.isFinite(v));
  const [lowBound, highBound] = options.bounds ?? [-Infinity, Infinity];
  let lo = finite.length > 0 ? Math.min(...finite) : 0;
  let hi = finite.length > 0 ? Math.max(...finite) : 1;
  if (hi - lo < 1e-9) {
    // A flat series still gets an axis around it: ± 5 % (or ± 0.05 around 0).
    const pad = Math.abs(hi) > 1e-9 ? Math.abs(hi) * 0.05 : 0.05;
    lo -= pad;
    hi += pad;
  }
  const step = niceStep(hi - lo, options.count ?? 4);
  const start = Math.max(lowBound, Math.floor(lo / step) * step);
  const end = Math.min(highBound, Math.ceil(hi / step) * step);
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  const ticks: number[] = [];
  for (let i = 0; start + i * step <= end + step * 1e-6; i++) ticks.push(Number((start + i * step).toFixed(decimals)));
  return { domain: [start, end], ticks, format: (value: number) => value.toFixed(decimals) };
}
