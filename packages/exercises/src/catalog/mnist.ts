import { ExerciseDefinition } from "@stepwise/core/contracts";

const starterCode = `// Build a small model with tf.layers and return it.
// MNIST: 28×28 grey-scale digits, flattened to 784 inputs scaled to [0, 1]; 10 classes.
const model = tf.sequential();
model.add(tf.layers.dense({ inputShape: [784], units: 32, activation: "relu" }));
model.add(tf.layers.dense({ units: 10, activation: "softmax" }));
return model;
`;

export const mnistBeatBaseline = ExerciseDefinition.parse({
  id: "mnist-beat-baseline",
  step: 5,
  title: "Step 5 — beat the baseline on MNIST",
  summary:
    "Build a small model that does better than a dumb baseline. Guessing among 10 digits scores 0.1, " +
    "and always answering the most frequent digit scores the majority-class rate of the test set; " +
    "your model must beat the stronger of the two with statistical significance (one-sided binomial test, p < 0.01) " +
    "on a hidden test split the grader keeps to itself.",
  kind: "training",
  dataset: { kind: "mnist" },
  metric: "accuracy",
  baseline: 0.1,
  budgets: { maxParams: 200_000, maxEpochs: 10, maxBatchSize: 1024, maxSeconds: 120 },
  seed: 1337,
  starterCode,
  starterTraining: {
    compile: { optimizer: "rmsprop", learningRate: 0.001, loss: "categoricalCrossentropy", metrics: ["accuracy"] },
    fit: { epochs: 3, batchSize: 128, validationSplit: 0.2, shuffle: true },
  },
  hints: [
    "The last layer needs one unit per class and a softmax activation for a multi-class problem.",
    "Categorical crossentropy is the loss for a softmax over 10 classes.",
  ],
});
