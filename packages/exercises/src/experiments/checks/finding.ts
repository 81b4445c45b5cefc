import type { ExperimentResult } from "../result";

/** What a check concludes; the runner adds the duration. */
export type Finding = Omit<ExperimentResult, "durationMs">;
