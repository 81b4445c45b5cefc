import { ExerciseDefinition } from "@stepwise/core/contracts";

const starterCode = `// Build a small model with tf.layers and return it.
// IMDB: movie reviews labelled positive (1) or negative (0). An input of width 10000 receives each
// review as a multi-hot vector over the 10,000 most frequent training words.
const model = tf.sequential();
model.add(tf.layers.dense({ inputShape: [10000], units: 16, activation: "relu" }));
model.add(tf.layers.dense({ units: 16, activation: "relu" }));
model.add(tf.layers.dense({ units: 1, activation: "sigmoid" }));
return model;
`;

export const imdbBeatBaseline = ExerciseDefinition.parse({
  id: "imdb-beat-baseline",
  step: 5,
  title: "Step 5 — beat the baseline on IMDB",
  summary:
    "Build a small model that classifies movie reviews better than a dumb baseline. The classes are balanced, " +
    "so guessing scores 0.5; your model must beat the stronger of 0.5 and the majority-class rate of the hidden " +
    "test split with statistical significance (one-sided binomial test, p < 0.01). The model's input decides how " +
    "reviews are fed: a Dense input of width V gets multi-hot vectors over the top V training words; an Embedding " +
    "with input_dim V + 2 and input length L gets the first L words as word indices.",
  kind: "training",
  dataset: { kind: "imdb", vocabularySize: 10_000 },
  metric: "accuracy",
  baseline: 0.5,
  budgets: { maxParams: 400_000, maxEpochs: 10, maxBatchSize: 2048, maxSeconds: 180 },
  seed: 1337,
  starterCode,
  starterTraining: {
    compile: { optimizer: "rmsprop", learningRate: 0.001, loss: "binaryCrossentropy", metrics: ["accuracy"] },
    fit: { epochs: 4, batchSize: 512, validationSplit: 0.2, shuffle: true },
  },
  hints: [
    "A binary classifier ends in one unit with a sigmoid activation and uses binary crossentropy.",
    "Softmax over a single unit always outputs 1: the model cannot express a probability.",
  ],
});
