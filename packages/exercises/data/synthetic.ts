/**
 * What the generators of the synthetic CSV datasets share: seeded draws (normal, weighted choice),
 * clamping, the CSV text and the "write the file when run as a script" entry point. Every draw comes
 * from the injected seeded RNG, so a generator writes the same bytes for the same seed; the order of
 * draws is part of each file's contents, so never reorder them here.
 */
import { writeFileSync } from "node:fs";
import type { Rng } from "@stepwise/core/datasets";

/** A standard normal draw (Box–Muller); 1 − u keeps the logarithm finite. */
export function normal(rng: Rng): number {
  const u = 1 - rng.next();
  const v = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** One of `values`, drawn with the given relative weights. */
export function pick<T>(rng: Rng, values: readonly T[], weights: readonly number[]): T {
  let r = rng.next() * weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < values.length; i++) {
    r -= weights[i] ?? 0;
    if (r < 0) return values[i] as T;
  }
  return values[values.length - 1] as T;
}

export const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/** The CSV text: the header line, then one line per row of already formatted fields, ending in a newline. */
export function csvText(header: string, rows: readonly (readonly (string | number)[])[]): string {
  return `${[header, ...rows.map((row) => row.join(","))].join("\n")}\n`;
}

/**
 * Writes `file` from `csv()` when the generator module `moduleFile` (its `import.meta.filename`) is the
 * script being run (`pnpm --filter @stepwise/exercises run data:…`), and does nothing on import.
 */
export function writeWhenRun(moduleFile: string, file: string, csv: () => string): void {
  if (!process.argv[1] || moduleFile !== process.argv[1]) return;
  writeFileSync(file, csv());
  process.stdout.write(`wrote ${file}\n`);
}
