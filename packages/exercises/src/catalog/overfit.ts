import { ExerciseDefinition } from "@stepwise/core/contracts";

const summary = (dataset: string) =>
  `Scale up until the model overfits. Add layers, make them bigger and train for more epochs, watching the ` +
  `training and validation loss: the grader retrains your model on ${dataset} and looks for the epoch where ` +
  `validation loss is lowest and then rises for a sustained stretch while training loss keeps falling. That ` +
  `epoch marks the border between underfitting and overfitting, which step 7 will work from.`;

/**
 * Step 6 starts small on purpose: a model that cannot overfit within its epochs fails this step, so
 * the student has to scale it up (a test regrades every starter and asserts which check it fails).
 */
export const SMALL_START =
  "// A small model trained briefly: it cannot overfit yet. Widen it, deepen it and train it for longer\n" +
  "// until validation loss turns up while training loss keeps falling.";

export const mnistOverfit = ExerciseDefinition.parse({
  id: "mnist-overfit",
  step: 6,
  title: "Step 6 — scale up until it overfits on MNIST",
  summary: summary("MNIST"),
  kind: "training",
  dataset: { kind: "mnist" },
  metric: "accuracy",
  baseline: 0.1,
  budgets: { maxParams: 2_000_000, maxEpochs: 40, maxBatchSize: 1024, maxSeconds: 600 },
  seed: 1337,
  starterCode: `${SMALL_START}
const model = tf.sequential();
model.add(tf.layers.dense({ inputShape: [784], units: 16, activation: "relu" }));
model.add(tf.layers.dense({ units: 10, activation: "softmax" }));
return model;
`,
  starterTraining: {
    compile: { optimizer: "rmsprop", learningRate: 0.001, loss: "categoricalCrossentropy", metrics: ["accuracy"] },
    fit: { epochs: 3, batchSize: 128, validationSplit: 0.2, shuffle: true },
  },
  hints: [
    "Overfitting needs capacity and time: more units, more layers, more epochs.",
    "Keep a validation split: without it overfitting cannot be seen.",
  ],
});

export const imdbOverfit = ExerciseDefinition.parse({
  id: "imdb-overfit",
  step: 6,
  title: "Step 6 — scale up until it overfits on IMDB",
  summary: summary("IMDB"),
  kind: "training",
  dataset: { kind: "imdb", vocabularySize: 10_000 },
  metric: "accuracy",
  baseline: 0.5,
  budgets: { maxParams: 2_000_000, maxEpochs: 30, maxBatchSize: 2048, maxSeconds: 600 },
  seed: 1337,
  starterCode: `${SMALL_START}
const model = tf.sequential();
model.add(tf.layers.dense({ inputShape: [10000], units: 8, activation: "relu" }));
model.add(tf.layers.dense({ units: 1, activation: "sigmoid" }));
return model;
`,
  starterTraining: {
    compile: { optimizer: "rmsprop", learningRate: 0.001, loss: "binaryCrossentropy", metrics: ["accuracy"] },
    fit: { epochs: 2, batchSize: 512, validationSplit: 0.2, shuffle: true },
  },
  hints: ["On IMDB a wide multi-hot model overfits within a few epochs: watch validation loss, not accuracy."],
});
