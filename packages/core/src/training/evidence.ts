import type { LayersModel, Scalar, Tensor, Variable } from "@tensorflow/tfjs";
import type { Tf } from "../backend/tf";
import type { LayerEvidence, TrainingEvidence } from "../contracts/training";
import type { BatchBuilder } from "./inputs";
import type { LabelEncoding } from "./labels";
import { releaseRnnMasks } from "./randomness";

/** Batches each probe looks at: enough to average out one odd batch, few enough to cost nothing. */
export const PROBE_BATCHES = 2;
/**
 * Weights copied for the update-size evidence, at most (4 bytes each): above this a model's snapshot
 * would cost more memory than the evidence is worth, and its updates go unmeasured.
 */
const MAX_SNAPSHOT_PARAMS = 4_000_000;

/** Activations whose gradient dies at both ends, and how close to an end counts as saturated. */
const SATURATING: Record<string, { low: number; high: number }> = {
  // σ'(z) = σ(1 − σ) < 0.02 outside [0.02, 0.98].
  sigmoid: { low: 0.02, high: 0.98 },
  hardsigmoid: { low: 0.0001, high: 0.9999 },
  // tanh'(z) = 1 − tanh² < 0.04 outside [−0.98, 0.98].
  tanh: { low: -0.98, high: 0.98 },
};

interface ProbedLayer {
  name: string;
  className: string;
  activation?: string;
  variables: Variable[];
  params: number;
}

/** What one probe measured per weight layer (gradient norm) and per saturating layer (fraction). */
interface Probe {
  gradients: Map<string, number>;
  saturation: Map<string, number>;
}

const norm = (name: string): string => name.toLowerCase().replace(/_/g, "");

function activationOf(config: Record<string, unknown>): string | undefined {
  const activation = config.activation;
  return typeof activation === "string" ? activation : undefined;
}

/** A non-finite measurement is as bad as a huge one for every rule that reads it (and stays JSON). */
const finiteOr = (value: number): number => (Number.isFinite(value) ? value : Number.MAX_VALUE);

/**
 * Cheap evidence of how the first epoch trained, for the diagnostics a loss curve cannot give:
 * per-layer gradient norms before training and after the first epoch, the size of the first update
 * and of the first epoch's change relative to each layer's weights, and how saturated every
 * sigmoid/tanh layer is. Every probe runs in inference mode (no dropout draw, no batch-norm
 * statistics update) on batches it builds itself, and reads the weights without writing them: the
 * training run it watches is the same to the bit with or without it.
 */
export class EvidenceRecorder {
  private readonly layers: ProbedLayer[];
  private readonly chain: LayersModel["layers"];
  private readonly saturating: Map<string, { low: number; high: number }>;
  private start?: Probe;
  private snapshot?: Map<string, Tensor[]>;
  private firstStep?: Map<string, number>;

  constructor(
    private readonly tf: Tf,
    private readonly model: LayersModel,
    private readonly batches: BatchBuilder,
    private readonly encoding: LabelEncoding,
    private readonly labels: Int32Array | Float32Array,
    private readonly probeIndices: Int32Array[],
  ) {
    this.chain = model.layers.filter((layer) => layer.getClassName() !== "InputLayer");
    this.layers = this.chain
      .filter((layer) => layer.trainableWeights.length > 0)
      .map((layer) => {
        const activation = activationOf(layer.getConfig());
        const variables = layer.trainableWeights.map((w) => w.read() as Variable);
        return {
          name: layer.name,
          className: layer.getClassName(),
          ...(activation ? { activation } : {}),
          variables,
          params: variables.reduce((sum, v) => sum + v.size, 0),
        };
      });
    this.saturating = new Map();
    for (const layer of this.chain) {
      const bounds = SATURATING[norm(activationOf(layer.getConfig()) ?? "")];
      if (bounds) this.saturating.set(layer.name, bounds);
    }
  }

  /** Before the first step: gradients and saturation at the initial weights, and a copy of them. */
  beforeTraining(): void {
    this.start = this.probe();
    const params = this.layers.reduce((sum, layer) => sum + layer.params, 0);
    if (params <= MAX_SNAPSHOT_PARAMS) {
      this.snapshot = new Map(this.layers.map((layer) => [layer.name, layer.variables.map((v) => this.tf.clone(v))]));
    }
  }

  /** After the first training step: how far that one update moved each layer's weights. */
  afterFirstStep(): void {
    this.firstStep = this.relativeChange();
  }

  /** After the first epoch: the evidence, with every copy freed. */
  afterFirstEpoch(): TrainingEvidence {
    const epochChange = this.relativeChange();
    const after = this.probe();
    const initialNorms = this.snapshotNorms();
    this.dispose();
    const layers: LayerEvidence[] = this.layers.map((layer) => {
      const saturation = this.saturating.has(layer.name)
        ? { saturationStart: this.start?.saturation.get(layer.name) ?? 0, saturationAfter: after.saturation.get(layer.name) ?? 0 }
        : {};
      const step = this.firstStep?.get(layer.name);
      const epoch = epochChange?.get(layer.name);
      const weightNorm = initialNorms?.get(layer.name);
      return {
        name: layer.name,
        className: layer.className,
        ...(layer.activation ? { activation: layer.activation } : {}),
        params: layer.params,
        gradientStart: this.start?.gradients.get(layer.name) ?? 0,
        gradientAfter: after.gradients.get(layer.name) ?? 0,
        ...(weightNorm !== undefined ? { weightNorm } : {}),
        ...(step !== undefined ? { firstStepChange: step } : {}),
        ...(epoch !== undefined ? { firstEpochChange: epoch } : {}),
        ...saturation,
      };
    });
    // A saturating Activation layer has no weights: it is reported on its own row.
    const activations: LayerEvidence[] = this.chain
      .filter((layer) => layer.trainableWeights.length === 0 && this.saturating.has(layer.name))
      .map((layer) => ({
        name: layer.name,
        className: layer.getClassName(),
        ...(activationOf(layer.getConfig()) ? { activation: activationOf(layer.getConfig()) } : {}),
        params: 0,
        gradientStart: 0,
        gradientAfter: 0,
        saturationStart: this.start?.saturation.get(layer.name) ?? 0,
        saturationAfter: after.saturation.get(layer.name) ?? 0,
      }));
    return { probeBatches: this.probeIndices.length, layers: [...layers, ...activations] };
  }

  /** Frees the weight copies (also when training stops inside the first epoch). */
  dispose(): void {
    if (this.snapshot) for (const copies of this.snapshot.values()) this.tf.dispose(copies);
    this.snapshot = undefined;
  }

  private snapshotNorms(): Map<string, number> | undefined {
    if (!this.snapshot) return undefined;
    const { tf } = this;
    const norms = new Map<string, number>();
    for (const [name, copies] of this.snapshot) norms.set(name, finiteOr(tf.tidy(() => Math.sqrt(sumSquares(tf, copies)))));
    return norms;
  }

  /** ‖W − W₀‖ / ‖W₀‖ per layer, against the copy taken before training. */
  private relativeChange(): Map<string, number> | undefined {
    if (!this.snapshot) return undefined;
    const { tf } = this;
    const changes = new Map<string, number>();
    for (const layer of this.layers) {
      const copies = this.snapshot.get(layer.name) ?? [];
      const ratio = tf.tidy(() => {
        const moved = sumSquares(
          tf,
          layer.variables.map((v, i) => tf.sub(v, copies[i] ?? v)),
        );
        const size = sumSquares(tf, copies);
        return Math.sqrt(moved) / Math.max(Math.sqrt(size), 1e-12);
      });
      changes.set(layer.name, finiteOr(ratio));
    }
    return changes;
  }

  /**
   * Mean over the probe batches of each weight layer's gradient norm (all its trainable weights
   * together) and of each saturating layer's fraction of saturated outputs, in inference mode.
   */
  private probe(): Probe {
    const { tf } = this;
    const gradients = new Map<string, number>();
    const saturation = new Map<string, number>();
    const lossFn = compiledLoss(this.model);
    const variables = this.layers.flatMap((layer) => layer.variables);
    for (const indices of this.probeIndices) {
      const x = this.batches.inputs(indices);
      const y = this.batches.labels(indices, (out) => this.encoding.fill(this.labels, indices, out));
      try {
        const { value, grads } = tf.variableGrads(() => {
          let out: Tensor = x;
          for (const layer of this.chain) {
            out = layer.apply(out, { training: false }) as Tensor;
            const bounds = this.saturating.get(layer.name);
            if (bounds) add(saturation, layer.name, saturatedFraction(tf, out, bounds) / this.probeIndices.length);
          }
          return tf.mean<Scalar>(lossFn(y, out));
        }, variables);
        for (const layer of this.layers) {
          const layerGrads = layer.variables.flatMap((v) => (grads[v.name] ? [grads[v.name] as Tensor] : []));
          add(gradients, layer.name, finiteOr(Math.sqrt(tf.tidy(() => sumSquares(tf, layerGrads)))) / this.probeIndices.length);
        }
        tf.dispose([value, ...Object.values(grads)]);
      } finally {
        x.dispose();
        y.dispose();
      }
    }
    releaseRnnMasks(tf, this.model);
    return { gradients, saturation };
  }
}

function add(into: Map<string, number>, key: string, value: number): void {
  into.set(key, (into.get(key) ?? 0) + value);
}

function sumSquares(tf: Tf, tensors: readonly Tensor[]): number {
  return tensors.reduce((sum, t) => sum + (tf.tidy(() => tf.sum(tf.square(t))).dataSync()[0] ?? 0), 0);
}

function saturatedFraction(tf: Tf, out: Tensor, bounds: { low: number; high: number }): number {
  return tf.tidy(
    () => tf.mean(tf.cast(tf.logicalOr(tf.lessEqual(out, bounds.low), tf.greaterEqual(out, bounds.high)), "float32")).dataSync()[0] ?? 0,
  );
}

type LossFn = (yTrue: Tensor, yPred: Tensor) => Tensor;

/** The loss the model was compiled with; a Sequential keeps it on the model it wraps. */
function compiledLoss(model: LayersModel): LossFn {
  const own = (model as unknown as { lossFunctions?: LossFn[] }).lossFunctions;
  const inner = (model as unknown as { model?: { lossFunctions?: LossFn[] } }).model?.lossFunctions;
  const fn = own?.[0] ?? inner?.[0];
  if (!fn) throw new Error("evidence needs a compiled model");
  return fn;
}
