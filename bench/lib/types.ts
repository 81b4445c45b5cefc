import type { ModelName } from "./models";

/** What every section gets: the run settings and a shared store of numbers for cross-section ratios. */
export interface BenchContext {
  quick: boolean;
  /** Repetitions of each measurement (≥ 3 in a full run, 1 with --quick). */
  runs: number;
  repoDir: string;
  /** May the web section run `next build` in apps/web (shared with e2e tests) when the build is stale? */
  buildWeb: boolean;
  /** Scratch directory of this invocation, removed at the end. */
  tmpDir: string;
  /** `--models`: the training section's models to run (all when unset). */
  models?: readonly ModelName[];
  /** Named medians other sections may read, e.g. "peak.numpy.gflops". */
  metrics: Map<string, number>;
  log: (message: string) => void;
}

export interface Table {
  title: string;
  header: string[];
  rows: string[][];
}

export interface SectionOutput {
  tables: Table[];
  notes: string[];
}

export interface Section {
  name: string;
  title: string;
  run(ctx: BenchContext): Promise<SectionOutput>;
}
