import { describe, expect, it } from "vitest";
import { Diagnostic } from "../contracts/verdict";
import type { LayerEvidence } from "../contracts/training";
import { curve } from "./curves.test-helpers";
import {
  constantPredictions,
  diagnose,
  DIAGNOSTIC_RULES,
  type DiagnosticRule,
  type DiagnosticsInput,
  inputsNotNormalized,
  labelsNeedScaling,
  labelsNotShuffled,
  learningRateTooHigh,
  lossAtChance,
  lossExploding,
  lossFlat,
  lossNaN,
  lossNotDecreasing,
  lossTaskMismatch,
  outputUnitsMismatch,
  sigmoidOnMulticlass,
  softmaxSingleUnit,
  softmaxWithBinaryCrossentropy,
  squashingOnRegression,
  tooManyLayers,
} from "./diagnostics";
import { explodingGradients, learningRateTooLow, saturatedActivations, vanishingGradients } from "./evidence-rules";

/** A healthy MNIST run: softmax over 10 units, categorical cross-entropy, loss falling, varied predictions. */
const healthy: DiagnosticsInput = {
  spec: {
    lastActivation: "softmax",
    outputUnits: 10,
    loss: "categoricalCrossentropy",
    optimizer: "adam",
    learningRate: 1e-3,
    numLayers: 2,
  },
  task: { kind: "multiclass", numClasses: 10, trainExamples: 48_000 },
  history: curve([0.9, 0.4, 0.3, 0.25], [0.5, 0.35, 0.3, 0.28]),
  predictions: { predictedClassCounts: [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009], outputStd: 0.25 },
  data: { inputMin: 0, inputMax: 1, shuffled: true },
};
const binary: DiagnosticsInput = {
  ...healthy,
  spec: { ...healthy.spec, lastActivation: "sigmoid", outputUnits: 1, loss: "binaryCrossentropy" },
  task: { kind: "binary", numClasses: 2, trainExamples: 20_000 },
  predictions: { predictedClassCounts: [5100, 4900], outputStd: 0.3 },
};
const regression: DiagnosticsInput = {
  ...healthy,
  spec: { ...healthy.spec, lastActivation: "linear", outputUnits: 1, loss: "meanSquaredError" },
  task: { kind: "regression", trainExamples: 400 },
  predictions: { predictedClassCounts: [], outputStd: 0.8 },
  data: { inputMin: -3, inputMax: 3, labelMean: 0, labelStd: 1, shuffled: true },
};

const spec = (base: DiagnosticsInput, patch: Partial<DiagnosticsInput["spec"]>): DiagnosticsInput => ({
  ...base,
  spec: { ...base.spec, ...patch },
});
const losses = (base: DiagnosticsInput, loss: number[], valLoss?: number[]): DiagnosticsInput => ({
  ...base,
  history: curve(loss, valLoss),
});
type Case = [name: string, input: DiagnosticsInput];

/**
 * First-epoch evidence as real MNIST runs measured it (32-unit layers): `gradients` per layer at the
 * initial weights, the first step's and first epoch's relative change, hidden saturation after it.
 */
function evidence(
  base: DiagnosticsInput,
  gradients: number[],
  change: { step: number; epoch: number },
  activation = "relu",
  saturation?: number,
): DiagnosticsInput {
  const layers: LayerEvidence[] = gradients.map((g, i) => {
    const hidden = i < gradients.length - 1;
    return {
      name: `dense_${i + 1}`,
      className: "Dense",
      activation: hidden ? activation : "softmax",
      params: i === 0 ? 25_120 : 1_056,
      gradientStart: g,
      gradientAfter: g,
      weightNorm: 8,
      firstStepChange: change.step,
      firstEpochChange: i === 0 && gradients.length > 2 ? change.epoch / 1e4 : change.epoch,
      ...(hidden && saturation !== undefined ? { saturationStart: 0, saturationAfter: saturation } : {}),
    };
  });
  return { ...base, evidence: { probeBatches: 2, layers } };
}
const deepSigmoid = evidence(
  spec(healthy, { optimizer: "sgd", learningRate: 0.01, numLayers: 9 }),
  [2.8e-5, 5.9e-5, 2.5e-4, 1.1e-3, 4.8e-3, 2.4e-2, 0.11, 0.43, 1.32],
  { step: 3e-3, epoch: 5e-2 },
  "sigmoid",
  0,
);
const deepRelu = evidence(
  spec(healthy, { optimizer: "sgd", learningRate: 0.01, numLayers: 9 }),
  [0.13, 0.05, 0.05, 0.06, 0.07, 0.08, 0.1, 0.12, 0.13],
  { step: 3e-4, epoch: 2.6e-3 },
);
const healthyEvidence = evidence(healthy, [1.5, 0.36], { step: 0.04, epoch: 0.19 });

const table: [rule: DiagnosticRule, code: string, fires: Case[], quiet: Case[]][] = [
  [
    vanishingGradients,
    "vanishing-gradients",
    [["9 sigmoid layers with SGD: the first gradient 47,000× below the last", deepSigmoid]],
    [
      ["9 relu layers", deepRelu],
      ["a healthy 2-layer run", healthyEvidence],
      ["a 2-layer net whose first gradient is small (too shallow to vanish)", evidence(healthy, [1e-5, 1], { step: 0.01, epoch: 0.1 })],
      ["no evidence (the browser preview)", spec(healthy, { numLayers: 9 })],
    ],
  ],
  [
    explodingGradients,
    "exploding-gradients",
    [
      [
        "a deep regression net with a wide initializer (gradients 2e4–9e4 at the start)",
        evidence(regression, [2.8e4, 2.2e4, 2.5e4, 8.9e4], { step: 1.9, epoch: 3 }),
      ],
      ["a gradient that is not finite", evidence(regression, [Number.MAX_VALUE, 1], { step: 1, epoch: 1 })],
    ],
    [
      ["a healthy run", healthyEvidence],
      [
        "tanh layers with a wide initializer (gradients up to 16)",
        evidence(healthy, [16.3, 8.6, 5.6, 1.3], { step: 2e-3, epoch: 7e-3 }, "tanh"),
      ],
    ],
  ],
  [
    saturatedActivations,
    "saturated-activations",
    [["tanh layers with half their outputs at ±1", evidence(healthy, [16.3, 8.6, 5.6, 1.3], { step: 2e-3, epoch: 7e-3 }, "tanh", 0.57)]],
    [
      ["unsaturated sigmoid layers", deepSigmoid],
      ["relu layers (never measured)", deepRelu],
    ],
  ],
  [
    learningRateTooLow,
    "learning-rate-too-low",
    [
      [
        "SGD at 1e-5: the first epoch moved the weights by 0.004 %",
        evidence(spec(healthy, { optimizer: "sgd", learningRate: 1e-5 }), [1.5, 0.36], { step: 1.7e-6, epoch: 3.5e-5 }),
      ],
    ],
    [
      ["a healthy run", healthyEvidence],
      ["9 sigmoid layers whose last layer moved 5 % (vanishing, not too low)", deepSigmoid],
      ["a tiny rate without measurements (not evidence)", spec(healthy, { learningRate: 1e-6 })],
    ],
  ],
  [
    softmaxWithBinaryCrossentropy,
    "softmax-binary-crossentropy",
    [["softmax + binaryCrossentropy on 10 classes", spec(healthy, { loss: "binaryCrossentropy" })]],
    [
      ["softmax + categoricalCrossentropy", healthy],
      ["sigmoid + binaryCrossentropy", binary],
    ],
  ],
  [
    sigmoidOnMulticlass,
    "sigmoid-multiclass",
    [
      ["sigmoid on 10 classes", spec(healthy, { lastActivation: "sigmoid" })],
      ["Keras hard_sigmoid on 10 classes", spec(healthy, { lastActivation: "hard_sigmoid" })],
    ],
    [
      ["sigmoid on a binary task", binary],
      ["softmax on 10 classes", healthy],
    ],
  ],
  [
    squashingOnRegression,
    "squashing-regression-output",
    [
      ["sigmoid regression output", spec(regression, { lastActivation: "sigmoid" })],
      ["tanh regression output", spec(regression, { lastActivation: "tanh" })],
    ],
    [
      ["linear regression output", regression],
      ["sigmoid on a binary task", binary],
    ],
  ],
  [
    softmaxSingleUnit,
    "softmax-single-unit",
    [["softmax over 1 unit", spec(binary, { lastActivation: "softmax" })]],
    [
      ["softmax over 10 units", healthy],
      ["sigmoid over 1 unit", binary],
    ],
  ],
  [
    outputUnitsMismatch,
    "output-units-mismatch",
    [
      ["1 unit for 10 classes", spec(healthy, { outputUnits: 1 })],
      ["3 units for a binary task", spec(binary, { outputUnits: 3 })],
      ["2 units for regression", spec(regression, { outputUnits: 2 })],
    ],
    [
      ["10 units for 10 classes", healthy],
      ["1 unit binary", binary],
      ["2 units binary", spec(binary, { outputUnits: 2, lastActivation: "softmax" })],
      ["1 unit regression", regression],
    ],
  ],
  [
    lossTaskMismatch,
    "loss-task-mismatch",
    [
      ["cross-entropy on regression", spec(regression, { loss: "binaryCrossentropy" })],
      ["categorical cross-entropy over 1 unit", spec(binary, { loss: "categoricalCrossentropy" })],
      ["MSE on classification", spec(healthy, { loss: "meanSquaredError" })],
    ],
    [
      ["MSE on regression", regression],
      ["BCE on binary", binary],
      ["CCE on multiclass", healthy],
    ],
  ],
  [
    lossNaN,
    "loss-nan",
    [
      ["NaN training loss", losses(healthy, [0.9, Number.NaN, Number.NaN])],
      ["infinite validation loss", losses(healthy, [0.9, 0.5, 0.4], [0.5, Infinity, 0.4])],
    ],
    [["finite losses", healthy]],
  ],
  [
    lossExploding,
    "loss-exploding",
    [["loss tripling", losses(healthy, [0.9, 1.5, 2.8, 5])]],
    [
      ["loss falling", healthy],
      ["a small bump", losses(healthy, [0.9, 1.2, 0.8])],
      ["one epoch", losses(healthy, [9])],
      ["NaN (its own rule)", losses(healthy, [0.9, 5, Number.NaN])],
    ],
  ],
  [
    learningRateTooHigh,
    "learning-rate-too-high",
    [
      // MNIST at learning rate 10: one epoch, loss 14.47 against ln 10 = 2.30.
      ["one epoch far above ln 10", spec(losses(healthy, [14.47]), { learningRate: 10 })],
      ["flat far above ln 2", spec(losses(binary, [5.1, 5.0, 5.05]), { learningRate: 5 })],
      [
        "one epoch at chance while one update moved a layer 143× its size",
        evidence(spec(losses(healthy, [2.35]), { learningRate: 10 }), [1.5, 0.36], { step: 143, epoch: 795 }),
      ],
    ],
    [
      ["loss falling", healthy],
      [
        "far above chance with small measured updates (a wide initializer saturated the softmax)",
        evidence(losses(healthy, [14.4]), [5.4, 5.6, 14.8], { step: 0, epoch: 5e-3 }),
      ],
      ["at chance with healthy updates", evidence(losses(healthy, [2.31]), [1.5, 0.36], { step: 0.04, epoch: 0.19 })],
      ["at chance (its own rule)", losses(healthy, [2.31, 2.305, 2.302])],
      ["regression", losses(regression, [40, 38, 39])],
      ["NaN (its own rule)", losses(healthy, [0.9, Number.NaN])],
      ["exploding (its own rule)", losses(healthy, [0.9, 3, 9])],
    ],
  ],
  [
    lossFlat,
    "loss-flat",
    [
      ["loss stuck for 4 epochs", losses(healthy, [2.302, 2.301, 2.302, 2.3015])],
      ["flat with a tiny learning rate", spec(losses(healthy, [0.7, 0.7, 0.7]), { learningRate: 1e-6 })],
    ],
    [
      ["loss falling", healthy],
      ["only 2 epochs", losses(healthy, [2.3, 2.3])],
      ["falling 2%", losses(healthy, [1, 0.99, 0.98])],
      [
        "flat far above chance at learning rate 10 (too high, not too low)",
        spec(losses(healthy, [14.5, 14.5, 14.5]), { learningRate: 10 }),
      ],
    ],
  ],
  [
    lossNotDecreasing,
    "loss-not-decreasing",
    [["loss creeping up", losses(healthy, [0.5, 0.45, 0.55, 0.6])]],
    [
      ["loss falling", healthy],
      ["flat (its own rule)", losses(healthy, [0.5, 0.5, 0.5])],
      ["exploding (its own rule)", losses(healthy, [0.5, 0.8, 1.5])],
    ],
  ],
  [
    lossAtChance,
    "loss-at-chance",
    [
      ["multiclass stuck near ln 10 after a drop", losses(healthy, [2.6, 2.4, 2.31, 2.305])],
      ["binary stuck near ln 2", losses(binary, [0.75, 0.7, 0.695])],
    ],
    [
      ["learning", healthy],
      ["regression", regression],
      ["flat (its own rule)", losses(healthy, [2.302, 2.302, 2.302])],
    ],
  ],
  [
    constantPredictions,
    "constant-predictions",
    [
      ["always the digit 1", { ...healthy, predictions: { predictedClassCounts: [0, 9600, 0, 100, 0, 0, 300, 0, 0, 0], outputStd: 0.02 } }],
      ["a regression model that ignores its input", { ...regression, predictions: { predictedClassCounts: [], outputStd: 1e-5 } }],
    ],
    [
      ["varied predictions", healthy],
      ["94% one class", { ...binary, predictions: { predictedClassCounts: [940, 60], outputStd: 0.2 } }],
      ["no predictions", { ...healthy, predictions: undefined }],
    ],
  ],
  [
    labelsNotShuffled,
    "labels-not-shuffled",
    [["ordered by label", { ...healthy, data: { inputMin: 0, inputMax: 1, shuffled: false } }]],
    [
      ["shuffled", healthy],
      ["no data summary", { ...healthy, data: undefined }],
    ],
  ],
  [
    inputsNotNormalized,
    "inputs-not-normalized",
    [
      ["raw pixels 0–255", { ...healthy, data: { inputMin: 0, inputMax: 255, shuffled: true } }],
      ["large negative features", { ...regression, data: { inputMin: -500, inputMax: 2, shuffled: true } }],
    ],
    [
      ["pixels in 0–1", healthy],
      ["standardized features", regression],
    ],
  ],
  [
    labelsNeedScaling,
    "labels-need-scaling",
    [
      [
        "house prices in dollars",
        { ...regression, data: { inputMin: -3, inputMax: 3, labelMean: 180_000, labelStd: 80_000, shuffled: true } },
      ],
    ],
    [
      ["standardized targets", regression],
      ["classification", healthy],
    ],
  ],
  [
    tooManyLayers,
    "too-many-layers",
    [
      ["6 layers for 400 examples", spec(regression, { numLayers: 6 })],
      ["12 layers without a size", { ...spec(healthy, { numLayers: 12 }), task: { kind: "multiclass", numClasses: 10 } }],
    ],
    [
      ["2 layers", healthy],
      ["4 layers for 400 examples", spec(regression, { numLayers: 4 })],
      ["8 layers for 48,000 examples", spec(healthy, { numLayers: 8 })],
    ],
  ],
];

describe.each(table)("%o", (rule, code, fires, quiet) => {
  it.each(fires)(`${code} fires on %s`, (_name, input) => {
    const diagnostic = rule(input);
    expect(diagnostic?.code).toBe(code);
    expect(Diagnostic.parse(diagnostic)).toEqual(diagnostic);
    expect(diagnostic?.hint.length).toBeGreaterThan(10);
  });
  it.each(quiet)(`${code} stays quiet on %s`, (_name, input) => {
    expect(rule(input)).toBeUndefined();
  });
});

describe("diagnose", () => {
  it.each([
    ["a healthy multiclass run", healthy],
    ["a healthy binary run", binary],
    ["a healthy regression run", regression],
  ])("finds nothing wrong with %s", (_name, input) => {
    expect(diagnose(input)).toEqual([]);
  });

  it("covers every rule in the table", () => {
    expect(new Set(table.map(([rule]) => rule))).toEqual(new Set(DIAGNOSTIC_RULES));
  });

  it("a deep sigmoid/SGD net is told vanishing gradients by its layers, activation and optimizer, with the checklist's fixes", () => {
    const found = diagnose(deepSigmoid).find((d) => d.code === "vanishing-gradients");
    expect(found?.message).toMatch(/first layer \(dense_1, 2\.80e-5\) is 47,143× smaller than at your last \(dense_9, 1\.32\)/);
    expect(found?.message).toMatch(/8 sigmoid layers between them.*sgd at learning rate 0\.01/);
    expect(found?.hint).toMatch(/"Does your model have too many layers\?".*relu.*fewer layers.*adam.*batch normalization/);
  });

  it("lists several problems in checklist order, in the student's terms", () => {
    const input: DiagnosticsInput = {
      ...spec(healthy, { lastActivation: "sigmoid", learningRate: 0.5 }),
      history: curve([2.3, 40, Number.NaN]),
      data: { inputMin: 0, inputMax: 255, shuffled: false },
    };
    const found = diagnose(input);
    expect(found.map((d) => d.code)).toEqual(["sigmoid-multiclass", "loss-nan", "labels-not-shuffled", "inputs-not-normalized"]);
    expect(found[1]?.hint).toContain("learning rate 0.5 is probably too high; try 0.05");
    expect(found[3]?.message).toContain("from 0 to 255");
  });
});
