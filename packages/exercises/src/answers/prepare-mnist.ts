import { loadMnistImages } from "@stepwise/core/datasets/node";
import { type ValueStats, valueStats } from "./value-stats";
import { check, flag, type RuleInput, type RuleResult, text } from "./types";

function histogram(...splits: Uint8Array[]): Float64Array {
  const counts = new Float64Array(256);
  for (const bytes of splits) for (const b of bytes) counts[b] = (counts[b] ?? 0) + 1;
  return counts;
}

/** Stats of f(byte) over a byte histogram: exact, and 47 million pixels cost one pass. */
export function statsOf(counts: Float64Array, f: (byte: number) => number): ValueStats {
  return valueStats((add) =>
    counts.forEach((c, b) => {
      if (c !== 0) add(f(b), c);
    }),
  );
}

const fmt = (x: number) => (Math.abs(x) >= 10 ? x.toFixed(0) : x.toFixed(3));

/** Step 4 on MNIST: applies the declared pixel scaling to the 60,000 training images and measures it. */
export function gradeMnistPrepare({ answers }: RuleInput): RuleResult {
  const scaling = text(answers, "pixelScaling");
  const trainOnly = flag(answers, "fitOnTrainOnly");
  const train = histogram(loadMnistImages("train"));
  let transform = (b: number) => b;
  let how = "kept as raw bytes";
  if (scaling === "divide-255") {
    transform = (b) => b / 255;
    how = "divided by 255";
  } else if (scaling === "standardize") {
    // Statistics from the split(s) the student said they use: train only, or train and test together.
    const fitted = statsOf(trainOnly ? train : histogram(loadMnistImages("train"), loadMnistImages("test")), (b) => b);
    transform = (b) => (b - fitted.mean) / fitted.std;
    how = `standardized with mean ${fmt(fitted.mean)} and standard deviation ${fmt(fitted.std)} from ${trainOnly ? "the training images" : "training and test images"}`;
  }
  const s = statsOf(train, transform);
  const unit = s.min >= 0 && s.max <= 1;
  const standard = Math.abs(s.mean) <= 0.01 && Math.abs(s.std - 1) <= 0.01;
  const measured = `training pixels ${how} range over [${fmt(s.min)}, ${fmt(s.max)}] with mean ${fmt(s.mean)} and standard deviation ${fmt(s.std)}`;
  return {
    checks: [
      check(
        "scale",
        unit || standard,
        unit || standard
          ? `Right: the ${measured}.`
          : `The ${measured}: large inputs saturate activations and make gradients large, and a network learns best from small input values of about the same size. The data panel shows the grey levels the training digits are stored as.`,
      ),
      check(
        "finite",
        s.nonFinite === 0,
        s.nonFinite === 0
          ? "No NaN or infinite values after scaling."
          : `${s.nonFinite} pixel values became NaN or infinite after scaling.`,
      ),
      check(
        "fit-on-train",
        trainOnly,
        trainOnly
          ? "Right: statistics come from the training images only."
          : `Statistics computed with test images let the test set leak into preprocessing${scaling === "standardize" ? ` (here the training mean after scaling is ${fmt(s.mean)}, not 0)` : ""}: the test score would no longer measure images the model has never seen in any way. The data panel keeps the test examples hidden for this reason.`,
      ),
    ],
    metrics: {
      inputMin: { label: "Smallest training input", value: s.min },
      inputMax: { label: "Largest training input", value: s.max },
      inputMean: { label: "Mean training input", value: s.mean },
    },
  };
}
