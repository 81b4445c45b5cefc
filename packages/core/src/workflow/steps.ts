import { z } from "zod";
import { StepwiseError } from "../contracts/errors";

export const StepId = z
  .enum(["define-problem", "choose-metric", "evaluation-protocol", "prepare-data", "beat-baseline", "overfit", "regularize"])
  .describe("One of the seven steps of the universal workflow of machine learning");
export type StepId = z.infer<typeof StepId>;

export const StepKind = z.enum(["answer", "preprocessing", "training"]);
export type StepKind = z.infer<typeof StepKind>;

export const StepDefinition = z
  .object({
    id: z.string().min(1),
    number: z.number().int().min(1).describe("Position in the workflow, 1-based"),
    title: z.string().min(1),
    kind: StepKind.describe("answer: graded answers; preprocessing: a data pipeline; training: a model the grader retrains"),
    prerequisites: z.array(z.string()).describe("Step ids that must be passed before this step opens"),
    description: z.string().min(1),
  })
  .strict();
export type StepDefinition = z.infer<typeof StepDefinition>;

export const STEPS: readonly StepDefinition[] = [
  {
    id: "define-problem",
    number: 1,
    title: "Define the problem and assemble a dataset",
    kind: "answer",
    prerequisites: [],
    description:
      "Say what the inputs are and what you are predicting, and which kind of problem that makes: binary classification, " +
      "multiclass classification or regression. You can only learn what the data can show: the hypothesis is that the " +
      "outputs can be predicted from the inputs, and that the data you have is informative enough to learn the relation.",
  },
  {
    id: "choose-metric",
    number: 2,
    title: "Choose a measure of success",
    kind: "answer",
    prerequisites: ["define-problem"],
    description:
      "Decide how success is measured before training anything, because the metric guides every later choice, including " +
      "the loss. Accuracy suits balanced classification; precision and recall or ROC AUC suit imbalanced classes; mean " +
      "absolute error suits regression.",
  },
  {
    id: "evaluation-protocol",
    number: 3,
    title: "Decide on an evaluation protocol",
    kind: "answer",
    prerequisites: ["choose-metric"],
    description:
      "Decide how progress will be measured: a hold-out validation set when data is plentiful, K-fold cross-validation " +
      "when it is scarce, iterated K-fold when it is very scarce. The test set is looked at once, at the very end; " +
      "anything tuned on it no longer measures generalization.",
  },
  {
    id: "prepare-data",
    number: 4,
    title: "Prepare your data",
    kind: "preprocessing",
    prerequisites: ["evaluation-protocol"],
    description:
      "Turn the data into tensors a network can learn from: vectorize text, scale inputs to small values (0–1, or mean 0 " +
      "and std 1 per feature), handle missing values, shuffle examples and labels together, and compute every " +
      "normalization statistic on the training data only.",
  },
  {
    id: "beat-baseline",
    number: 5,
    title: "Develop a model that does better than a baseline",
    kind: "training",
    prerequisites: ["prepare-data"],
    description:
      "Reach statistical power: a small model that beats the dumb baseline — random guessing, or always answering the most " +
      "common class — on data it has never seen. Choose the last-layer activation, the loss and the optimizer to fit the " +
      "problem. If no reasonable model beats the baseline, the inputs may not hold the answer.",
  },
  {
    id: "overfit",
    number: 6,
    title: "Scale up: develop a model that overfits",
    kind: "training",
    prerequisites: ["beat-baseline"],
    description:
      "Find out how big a model the problem needs by crossing the line: add layers, make them bigger, train for more epochs " +
      "until validation loss reaches a minimum and then rises while training loss keeps falling. The ideal model sits at " +
      "the border between underfitting and overfitting; you can only find that border by crossing it.",
  },
  {
    id: "regularize",
    number: 7,
    title: "Regularize your model and tune its hyperparameters",
    kind: "training",
    prerequisites: ["overfit"],
    description:
      "Get as close as possible to the ideal model: add dropout, add L1 or L2 weight penalties, try fewer or more units " +
      "and layers, and tune the learning rate, judging each change on validation data. Then train the final model on " +
      "training and validation data together and evaluate it once on the test set.",
  },
];

/** Rejects step lists the engine could not run: duplicate ids, unknown prerequisites, cycles. */
export function validateSteps(steps: readonly StepDefinition[]): void {
  const ids = new Set<string>();
  for (const step of steps) {
    StepDefinition.parse(step);
    if (ids.has(step.id)) throw new StepwiseError(`step ids must be unique, got "${step.id}" twice`, "WORKFLOW_DEFINITION");
    ids.add(step.id);
  }
  for (const step of steps) {
    for (const pre of step.prerequisites) {
      if (!ids.has(pre)) {
        throw new StepwiseError(`step "${step.id}" requires "${pre}", which is not a step`, "WORKFLOW_DEFINITION");
      }
    }
  }
  const byId = new Map(steps.map((step) => [step.id, step]));
  const done = new Set<string>();
  const visiting = new Set<string>();
  const visit = (id: string): void => {
    if (done.has(id)) return;
    if (visiting.has(id))
      throw new StepwiseError(`step prerequisites must not form a cycle, got one through "${id}"`, "WORKFLOW_DEFINITION");
    visiting.add(id);
    for (const pre of byId.get(id)?.prerequisites ?? []) visit(pre);
    visiting.delete(id);
    done.add(id);
  };
  for (const step of steps) visit(step.id);
}

export function stepById(id: string, steps: readonly StepDefinition[] = STEPS): StepDefinition | undefined {
  return steps.find((step) => step.id === id);
}

export function stepByNumber(number: number, steps: readonly StepDefinition[] = STEPS): StepDefinition | undefined {
  return steps.find((step) => step.number === number);
}

/**
 * The steps a course actually assigns, in order, each requiring the nearest assigned steps before it:
 * a project with only steps 5–7 starts at step 5 rather than waiting on steps no one can submit.
 */
export function restrictSteps(steps: readonly StepDefinition[], keep: (step: StepDefinition) => boolean): StepDefinition[] {
  const kept = new Set(steps.filter(keep).map((s) => s.id));
  const byId = new Map(steps.map((s) => [s.id, s]));
  const nearest = (id: string, seen: ReadonlySet<string>): string[] => {
    if (kept.has(id)) return [id];
    if (seen.has(id)) return [];
    return (byId.get(id)?.prerequisites ?? []).flatMap((pre) => nearest(pre, new Set([...seen, id])));
  };
  return steps
    .filter((s) => kept.has(s.id))
    .map((s) => ({ ...s, prerequisites: [...new Set(s.prerequisites.flatMap((pre) => nearest(pre, new Set())))] }));
}
