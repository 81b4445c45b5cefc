/** The debugging checklist's experiments a student can run on their own model and the grader's data. */
export const EXPERIMENTS = [
  "tiny-subset",
  "shuffled-labels",
  "label-as-input",
  "one-feature",
  "data-shuffled",
  "output-histogram",
  "loss-per-batch",
  "lr-range-test",
  "label-scale",
  "learning-curve",
] as const;
export type ExperimentName = (typeof EXPERIMENTS)[number];

/** Every outcome an experiment can report; the first is the healthy one. */
export const OUTCOMES = {
  "tiny-subset": ["fits", "cannot-fit"],
  "shuffled-labels": ["no-leak", "leak"],
  "label-as-input": ["pipeline-ok", "pipeline-broken"],
  "one-feature": ["signal-reachable", "no-signal"],
  "data-shuffled": ["mixed-batches", "single-class-runs"],
  "output-histogram": ["varied", "constant", "saturated"],
  "loss-per-batch": ["decreasing", "flat", "diverging"],
  "lr-range-test": ["lr-ok", "lr-too-low", "lr-too-high", "no-minimum"],
  "label-scale": ["scale-ok", "needs-normalizing"],
  "learning-curve": ["more-data-helps", "plateaued"],
} as const satisfies Record<ExperimentName, readonly [string, ...string[]]>;
export type ExperimentOutcome<N extends ExperimentName = ExperimentName> = (typeof OUTCOMES)[N][number];

/** What each experiment asks, in the checklist's words, for listings (web Debugging page, CLI help). */
export const EXPERIMENT_INFO: Record<ExperimentName, { title: string; question: string; findingsOnly?: true }> = {
  "tiny-subset": { title: "Overfit a tiny subset", question: "Can the model fit 100 training examples to ~100% accuracy?" },
  "shuffled-labels": {
    title: "Shuffled labels",
    question: "With the labels shuffled, does validation accuracy fall to chance, or does something leak?",
  },
  "label-as-input": {
    title: "Label as input",
    question: "Given the answer as an input, does the pipeline reach near-perfect training accuracy?",
  },
  "one-feature": {
    title: "One input feature / a few",
    question: "Is the signal reachable at all from a much smaller input (a 7×7 image, the few most telling features)?",
  },
  "data-shuffled": {
    title: "Is the data shuffled?",
    question: "What classes do the first batches hold, as the grader's pipeline delivers them?",
  },
  "output-histogram": {
    title: "What values does the model generate?",
    question: "Are the predicted probabilities and classes varied, constant or saturated?",
  },
  "loss-per-batch": { title: "Is the loss decreasing?", question: "Does the training loss fall batch by batch over the first epoch?" },
  "lr-range-test": {
    title: "Learning-rate range test",
    question: "Which learning rate makes the loss fall fastest, and how does yours compare?",
  },
  "label-scale": {
    title: "Do the labels need normalizing?",
    question: "Are the regression targets on the scale of what the untrained model outputs?",
  },
  "learning-curve": {
    title: "More data: learning curve",
    question:
      "Trained on 10%, 25%, 50% and 100% of the examples, is validation still improving (more data would help) or has it levelled off?",
    // Neither outcome is a fault: each says which lever (more data, or the model) is worth pulling.
    findingsOnly: true,
  },
};
