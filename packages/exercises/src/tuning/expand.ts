import { ValidationError } from "@stepwise/core/contracts";
import { mulberry32, shuffle, range } from "@stepwise/core/training";
import {
  HYPERPARAMETERS,
  type Hyperparameter,
  type LearningRateRange,
  type SearchSpace,
  type TrialValues,
  type TuningSearch,
} from "./search";

/** What a dimension of the space holds: listed values, or (learning rate, random search only) a log range. */
type Dimension = { key: Hyperparameter; values: number[] } | { key: "learningRate"; range: LearningRateRange };

function dimensions(space: SearchSpace): Dimension[] {
  const dims: Dimension[] = [];
  for (const key of HYPERPARAMETERS) {
    const value = space[key];
    if (value === undefined) continue;
    if (Array.isArray(value)) dims.push({ key, values: value });
    else dims.push({ key: "learningRate", range: value });
  }
  return dims;
}

const setValue = (values: TrialValues, key: Hyperparameter, value: number): TrialValues => ({ ...values, [key]: value });

/** Every combination of listed values, the last dimension varying fastest (learning rate slowest). */
function cartesian(dims: { key: Hyperparameter; values: number[] }[]): TrialValues[] {
  return dims.reduce<TrialValues[]>((acc, dim) => acc.flatMap((partial) => dim.values.map((v) => setValue(partial, dim.key, v))), [{}]);
}

const listed = (dims: Dimension[]) => dims.filter((d): d is { key: Hyperparameter; values: number[] } => "values" in d);

/** A learning rate drawn as a student would write it: three significant digits. */
const tidy = (x: number) => Number(x.toPrecision(3));

const keyOf = (values: TrialValues) => HYPERPARAMETERS.map((k) => values[k] ?? "").join("|");

/**
 * The trials a search runs, in order. `maxTrials` is the assignment's cap (`toolbox.tuningTrials`);
 * a search asking for more is refused, never silently cut, so the student knows what ran.
 *
 * - grid: the cartesian product of the listed values; refused when it holds more combinations than
 *   the trials allowed (the message names the product), run whole when it holds fewer.
 * - random: `trials` seeded draws without repetition — uniform over each list, log-uniform over a
 *   learning-rate range. A space of lists with no more combinations than `trials` runs all of them
 *   in a seeded order.
 */
export function expandSearch(search: TuningSearch, options: { maxTrials: number; seed: number }): TrialValues[] {
  if (search.trials > options.maxTrials) {
    throw new ValidationError(`This assignment allows at most ${options.maxTrials} trials per search, got ${search.trials}.`, "trials");
  }
  const dims = dimensions(search.space);
  if (search.strategy === "grid") {
    const ranged = dims.find((d) => "range" in d);
    if (ranged) {
      throw new ValidationError(
        'A grid needs a list of learning rates (e.g. [0.0001, 0.001, 0.01]); a range {min, max, scale: "log"} is for random search.',
        "space.learningRate",
      );
    }
    const lists = listed(dims);
    const size = lists.reduce((n, d) => n * d.values.length, 1);
    if (size > search.trials) {
      const product = lists.map((d) => `${d.values.length} ${d.key}`).join(" × ");
      throw new ValidationError(
        `The grid has ${product} = ${size} combinations, more than the ${search.trials} trials of this search` +
          `${search.trials < options.maxTrials ? ` (the assignment allows up to ${options.maxTrials})` : " (the assignment's limit)"}. ` +
          "List fewer values, or use random search.",
        "space",
      );
    }
    return cartesian(lists);
  }

  const random = mulberry32(search.seed ?? options.seed);
  if (dims.every((d) => "values" in d)) {
    const all = cartesian(listed(dims));
    if (all.length <= search.trials) return Array.from(shuffle(range(all.length), random), (i) => all[i] ?? {});
  }
  const draw = (): TrialValues =>
    dims.reduce<TrialValues>((values, dim) => {
      if ("range" in dim) {
        const [lo, hi] = [Math.log10(dim.range.min), Math.log10(dim.range.max)];
        return setValue(values, dim.key, Math.min(dim.range.max, Math.max(dim.range.min, tidy(10 ** (lo + random() * (hi - lo))))));
      }
      return setValue(values, dim.key, dim.values[Math.floor(random() * dim.values.length)] ?? dim.values[0] ?? 0);
    }, {});
  const trials: TrialValues[] = [];
  const seen = new Set<string>();
  // Repeats are redrawn; a narrow range may run out of distinct rounded values, so the tries are bounded.
  for (let tries = 0; trials.length < search.trials && tries < search.trials * 100; tries++) {
    const values = draw();
    if (seen.has(keyOf(values))) continue;
    seen.add(keyOf(values));
    trials.push(values);
  }
  return trials;
}

/** A trial's values as a student reads them: "learning rate 0.001, units 64, 2 layers, dropout 0.3". */
export function describeValues(values: TrialValues): string {
  const parts: string[] = [];
  if (values.learningRate !== undefined) parts.push(`learning rate ${values.learningRate}`);
  if (values.units !== undefined) parts.push(`units ${values.units}`);
  if (values.layers !== undefined) parts.push(`${values.layers} hidden layer${values.layers === 1 ? "" : "s"}`);
  if (values.dropout !== undefined) parts.push(`dropout ${values.dropout}`);
  return parts.join(", ");
}
