import type { LayerEvidence, TrainingEvidence } from "../contracts/training";
import type { Diagnostic } from "../contracts/verdict";
import type { DiagnosticsInput } from "./diagnostics-input";
import { formatNumber } from "./format";

/*
 * The checklist rules that read the first epoch's evidence (`TrainingEvidence`: gradient norms, update
 * sizes and saturation per layer) instead of the loss curve, so they work on a one-epoch run. The
 * thresholds come from real MNIST and regression runs (the evidence of `core/training/evidence.ts`):
 * healthy models start with gradient norms between 0.1 and 50 in every layer, a first-to-last ratio
 * between 0.1 and 10, a first update of 0.1–5 % of the weights and a first epoch that moves them 1–20 %.
 */

/** First-layer gradient this many times below the last's: "orders of magnitude" (a 9-layer sigmoid/SGD net: 2e-5; 9 relu layers: 0.9). */
export const VANISHING_RATIO = 1e-3;
/** A gradient norm this large at the initial weights (healthy starts stay below ~50; a deep regression net with a wide initializer: 2e4–3e7). */
export const EXPLODING_NORM = 1e3;
/** One update that moved some layer by half its own size overshoots (MNIST, Adam at 10: 143×; a healthy first step: ≤ 5 %). */
export const LARGE_STEP = 0.5;
/** A first epoch that moved no layer by 0.1 % made updates too small to matter (SGD at 1e-5: 0.004 %; healthy: 1–20 %). */
export const TINY_EPOCH = 1e-3;
/** A hidden sigmoid/tanh layer with half its outputs pinned to an end of its range passes almost no gradient. */
export const SATURATED = 0.5;

const norm = (name: string): string => name.toLowerCase().replace(/_/g, "");
const weightLayers = (evidence: TrainingEvidence): LayerEvidence[] => evidence.layers.filter((layer) => layer.params > 0);
const percent = (fraction: number): string => `${formatNumber(100 * fraction)} %`;
const times = (ratio: number): string => `${Math.round(ratio).toLocaleString("en-US")}×`;

/** The layer whose first update was largest next to its weights, if any update was measured. */
export function largestStep(evidence: TrainingEvidence | undefined): LayerEvidence | undefined {
  const measured = (evidence ? weightLayers(evidence) : []).filter((layer) => layer.firstStepChange !== undefined);
  return measured.sort((a, b) => (b.firstStepChange ?? 0) - (a.firstStepChange ?? 0))[0];
}

/** "moved dense_1's weights by 143× their own size" / "by 4 % of their size". */
export function stepSentence(layer: LayerEvidence): string {
  const change = layer.firstStepChange ?? 0;
  return `one update moved ${layer.name}'s weights by ${change >= 1 ? `${formatNumber(change)}× their own size` : `${percent(change)} of their size`}`;
}

/** Evidence that the updates were too small to matter: no layer's weights moved 0.1 % over the first epoch. */
export function tinyUpdates(evidence: TrainingEvidence | undefined): { largest: number } | undefined {
  const changes = (evidence ? weightLayers(evidence) : []).flatMap((layer) =>
    layer.firstEpochChange === undefined ? [] : [layer.firstEpochChange],
  );
  if (changes.length === 0) return undefined;
  const largest = Math.max(...changes);
  return largest < TINY_EPOCH ? { largest } : undefined;
}

/** The activations between the first and the last weight layer, as the student wrote them ("sigmoid", "tanh and sigmoid"). */
function hiddenActivations(evidence: TrainingEvidence): string {
  const layers = weightLayers(evidence).slice(0, -1);
  const named = [
    ...new Set(
      [...layers, ...evidence.layers.filter((l) => l.params === 0)].flatMap((l) =>
        l.activation && norm(l.activation) !== "linear" ? [l.activation] : [],
      ),
    ),
  ];
  return named.length === 0 ? "linear" : named.join(" and ");
}

/**
 * Vanishing gradients: at the initial weights the first layer's gradient is orders of magnitude
 * below the last's, so the first layers hardly learn. Word-embedding lookups are left out of the
 * comparison: a batch touches few of their rows, so their gradient is small by nature.
 */
export const vanishingGradients = ({ evidence, spec }: DiagnosticsInput): Diagnostic | undefined => {
  if (!evidence) return undefined;
  const layers = weightLayers(evidence).filter((layer) => layer.className !== "Embedding");
  const first = layers[0];
  const last = layers.at(-1);
  if (!first || !last || layers.length < 3 || last.gradientStart <= 0) return undefined;
  const ratio = first.gradientStart / last.gradientStart;
  if (ratio >= VANISHING_RATIO) return undefined;
  const activation = hiddenActivations(evidence);
  const moved =
    first.firstEpochChange === undefined ? "" : ` In the first epoch ${first.name}'s weights moved by ${percent(first.firstEpochChange)}.`;
  return {
    code: "vanishing-gradients",
    message:
      `Vanishing gradients: the gradient reaching your first layer (${first.name}, ${formatNumber(first.gradientStart)}) is ${times(1 / ratio)} smaller than at your last (${last.name}, ${formatNumber(last.gradientStart)}). ` +
      `Each of the ${layers.length - 1} ${activation} layers between them shrinks it, and ${spec.optimizer} at learning rate ${formatNumber(spec.learningRate)} turns a tiny gradient into a tiny update.${moved}`,
    hint:
      'The checklist asks "Does your model have too many layers?": use relu in the hidden layers, fewer layers (one or two hidden layers suit this data), ' +
      "the adam optimizer (it rescales each weight's update), or batch normalization between layers.",
  };
};

/** Exploding gradients: a gradient norm far beyond a healthy start (or not finite) at the initial weights. */
export const explodingGradients = ({ evidence }: DiagnosticsInput): Diagnostic | undefined => {
  if (!evidence) return undefined;
  const layers = weightLayers(evidence);
  const worst = [...layers].sort((a, b) => b.gradientStart - a.gradientStart)[0];
  if (!worst || worst.gradientStart < EXPLODING_NORM) return undefined;
  const size = worst.gradientStart >= Number.MAX_VALUE ? "not even a finite number" : formatNumber(worst.gradientStart);
  return {
    code: "exploding-gradients",
    message:
      `Exploding gradients: before any training the gradient at ${worst.name} is ${size} (a healthy start is below about 50), ` +
      "so every step throws the weights far from where they were. Activations grow layer after layer when the initial weights are too large for the layer widths.",
    hint: "Keep the default initializer (glorot/he) instead of a wide random one, use fewer layers or batch normalization, lower the learning rate, and make sure inputs are standardized.",
  };
};

/** Hidden sigmoid/tanh layers with most outputs pinned at the ends of their range after the first epoch. */
export const saturatedActivations = ({ evidence }: DiagnosticsInput): Diagnostic | undefined => {
  if (!evidence) return undefined;
  const output = weightLayers(evidence).at(-1)?.name;
  const saturated = evidence.layers.filter((layer) => layer.name !== output && (layer.saturationAfter ?? 0) >= SATURATED);
  const worst = [...saturated].sort((a, b) => (b.saturationAfter ?? 0) - (a.saturationAfter ?? 0))[0];
  if (!worst) return undefined;
  const more = saturated.length > 1 ? ` (and ${saturated.length - 1} more layer${saturated.length > 2 ? "s" : ""})` : "";
  return {
    code: "saturated-activations",
    message: `${percent(worst.saturationAfter ?? 0)} of ${worst.name}'s ${worst.activation ?? "sigmoid/tanh"} outputs sit at an end of its range after the first epoch${more}: there its slope is nearly 0 and almost no gradient passes.`,
    hint: "Use relu in hidden layers, or keep the default initializer and standardized inputs so the pre-activations stay small.",
  };
};

/** The learning rate is too low only when the updates were measured and were tiny. */
export const learningRateTooLow = ({ evidence, spec }: DiagnosticsInput): Diagnostic | undefined => {
  const tiny = tinyUpdates(evidence);
  if (!tiny) return undefined;
  return {
    code: "learning-rate-too-low",
    message: `In the whole first epoch no layer's weights moved by more than ${percent(tiny.largest)} of their size: at learning rate ${formatNumber(spec.learningRate)} (${spec.optimizer}) the updates are too small to matter.`,
    hint: `Raise the learning rate tenfold or more, to ${formatNumber(spec.learningRate * 10)} (or run the learning-rate range test); adam at 1e-3 is a safe start.`,
  };
};
