import { z } from "zod";

/**
 * Successive halving (the bracket Hyperband runs, as in Keras Tuner and Optuna): every trial first
 * trains for a fraction of the student's epochs, then only the best 1/factor of them are trained
 * further, until the survivors train for all the epochs. Most of a search's cost is then spent on
 * configurations that already looked good. The validation split never changes between rungs, so
 * every trial is ranked on the same examples at every rung.
 *
 * A trial is continued by training it again from its seed for the rung's epochs: the runs are
 * bitwise reproducible, so its first epochs repeat the shorter run exactly, and no weights or
 * optimizer state need to travel between sandboxed children.
 */

export const Halving = z
  .object({
    factor: z
      .number()
      .int()
      .min(2, { message: "the halving factor must be at least 2" })
      .max(4, { message: "the halving factor must be at most 4" })
      .describe(
        "Keep the best 1/factor of the trials at each rung; each rung trains factor × as many epochs (2–4, Hyperband's default is 3)",
      ),
  })
  .strict()
  .describe("Successive halving: start every trial on a fraction of the epochs and continue only the best");
export type Halving = z.infer<typeof Halving>;

/** One rung of the schedule: how many trials train in it, and for how many epochs each. */
export interface Rung {
  trials: number;
  epochs: number;
}

/**
 * The rungs of a search of `trials` trials whose model trains for `epochs` epochs. Without halving
 * (or with one trial or one epoch) there is one rung: every trial trains for all its epochs.
 *
 * With factor η there are s + 1 rungs, s = ⌊log_η(epochs)⌋ (the first rung trains at least one
 * epoch); rung i trains ⌈epochs / η^(s−i)⌉ epochs (the last rung all of them) and keeps
 * max(1, ⌊trials / η^i⌋) trials. Rungs that would train no more epochs than the one before are
 * merged, so every rung trains strictly longer and strictly fewer (or as many, at one) trials.
 */
export function halvingSchedule(trials: number, epochs: number, halving?: Halving): Rung[] {
  if (!Number.isInteger(trials) || trials < 1) throw new RangeError(`a schedule needs at least one trial, got ${trials}`);
  if (!Number.isInteger(epochs) || epochs < 1) throw new RangeError(`a schedule needs at least one epoch, got ${epochs}`);
  if (!halving || trials === 1 || epochs === 1) return [{ trials, epochs }];
  const eta = halving.factor;
  const s = Math.floor(Math.log(epochs) / Math.log(eta) + 1e-9);
  const rungs: Rung[] = [];
  for (let i = 0; i <= s; i++) {
    const rungEpochs = i === s ? epochs : Math.max(1, Math.ceil(epochs / eta ** (s - i)));
    const kept = Math.max(1, Math.floor(trials / eta ** i));
    const last = rungs.at(-1);
    if (last && rungEpochs <= last.epochs) continue;
    // Once a single trial is left, training it at intermediate lengths only repeats its first epochs.
    if (last && last.trials === 1) {
      last.epochs = epochs;
      break;
    }
    rungs.push({ trials: kept, epochs: rungEpochs });
  }
  return rungs;
}

/** Epochs the schedule trains in all, counting each rung's trials from scratch: the search's cost in trial-epochs. */
export function scheduleEpochs(rungs: readonly Rung[]): number {
  return rungs.reduce((sum, rung) => sum + rung.trials * rung.epochs, 0);
}

/**
 * Which trials continue to the next rung: the `keep` best by validation score (higher or lower is
 * better), the earlier trial on ties; trials without a score never continue.
 */
export function promote(scores: readonly { index: number; validation: number | null }[], keep: number, higherIsBetter: boolean): number[] {
  return scores
    .filter((s): s is { index: number; validation: number } => s.validation !== null && Number.isFinite(s.validation))
    .sort((a, b) =>
      a.validation === b.validation ? a.index - b.index : higherIsBetter ? b.validation - a.validation : a.validation - b.validation,
    )
    .slice(0, keep)
    .map((s) => s.index)
    .sort((a, b) => a - b);
}
