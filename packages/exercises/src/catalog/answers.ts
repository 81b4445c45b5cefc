import { type DatasetRef, ExerciseDefinition, type Question } from "@stepwise/core/contracts";
import {
  chooseMetricQuestions,
  csvPrepareQuestions,
  defineProblemQuestions,
  evaluationProtocolQuestions,
  imdbPrepareQuestions,
  mnistPrepareQuestions,
  TARGET_OPTIONS,
} from "../answers/questions";

/** Nothing trains in steps 1–4; the schema requires budgets, so these are the smallest it accepts. */
const NO_TRAINING = { maxParams: 1, maxEpochs: 1, maxBatchSize: 1, maxSeconds: 1 };

export interface AnswerDataset {
  /** Lower-case id prefix: `mnist`, `imdb`, `credit`. */
  slug: string;
  /** Name in titles: "MNIST". */
  name: string;
  dataset: DatasetRef;
  /** Step 1 target choices (a CSV offers its columns). */
  targets?: readonly { value: string; label: string }[];
  /** One sentence about the data, opening every summary. */
  about: string;
}

const STEP_TEXT = {
  1: {
    slug: "define-problem",
    title: "define the problem",
    kind: "answer",
    summary: "Say what one input is, what you predict, which kind of problem that makes and how many classes the target has.",
    hints: ["Look at a few examples on the data panel, and count the distinct values the labels take, before answering."],
  },
  2: {
    slug: "choose-metric",
    title: "choose a measure of success",
    kind: "answer",
    summary:
      "Measure the class balance of the training data, then choose the metric that will guide every later step: accuracy for balanced classes; precision and recall, F1 or ROC AUC when the positive class is rare.",
    hints: ["Ask what a model that always answers the most frequent class would score on your metric."],
  },
  3: {
    slug: "evaluation-protocol",
    title: "decide on an evaluation protocol",
    kind: "answer",
    summary:
      "Decide how you will measure progress: a hold-out validation set when data is plentiful, K-fold cross-validation when it is scarce. The test set is looked at once, at the end.",
    hints: ["Count the training examples: would a 20% validation set hold enough of them to give a stable score?"],
  },
  4: {
    slug: "prepare-data",
    title: "prepare the data",
    kind: "preprocessing",
    summary:
      "Declare how you turn the data into tensors. The grader applies your choices to the real training data and measures the result: value ranges, NaNs, and where every statistic was fitted.",
    hints: ["Every statistic (mean, standard deviation, vocabulary, categories) comes from the training split only."],
  },
} as const;

function questionsFor(step: 1 | 2 | 3 | 4, data: AnswerDataset): Question[] {
  switch (step) {
    case 1:
      return defineProblemQuestions(data.targets ?? TARGET_OPTIONS);
    case 2:
      return chooseMetricQuestions();
    case 3:
      return evaluationProtocolQuestions();
    case 4:
      return data.dataset.kind === "mnist"
        ? mnistPrepareQuestions()
        : data.dataset.kind === "imdb"
          ? imdbPrepareQuestions()
          : csvPrepareQuestions();
  }
}

/** Steps 1–4 of one dataset, as answer (and preprocessing) exercises. */
export function answerExercises(data: AnswerDataset): ExerciseDefinition[] {
  return ([1, 2, 3, 4] as const).map((step) => {
    const text = STEP_TEXT[step];
    return ExerciseDefinition.parse({
      id: `${data.slug}-${text.slug}`,
      step,
      title: `Step ${step} — ${text.title} on ${data.name}`,
      summary: `${data.about} ${text.summary}`,
      kind: text.kind,
      dataset: data.dataset,
      budgets: NO_TRAINING,
      seed: 1337,
      questions: questionsFor(step, data),
      hints: [...text.hints],
    });
  });
}
