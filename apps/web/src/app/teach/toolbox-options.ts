import {
  DEFAULT_EXPERIMENT_COMPUTE_SECONDS,
  DEFAULT_TEST_EVALUATIONS,
  DEFAULT_TUNING_TRIALS,
  TECHNIQUES,
} from "@stepwise/exercises/course";
import { EXPERIMENT_INFO, EXPERIMENTS } from "@stepwise/exercises/experiments";

/**
 * What the assignment form offers for the `experiments` and `toolbox` keys, read on the server (the
 * lists live in the exercises package, which the browser bundle does not load) and passed as a prop.
 */
export interface ToolboxOptions {
  experiments: Array<{ name: string; title: string }>;
  techniques: Array<{ name: string; title: string }>;
  defaults: { computeSeconds: number; tuningTrials: number; testEvaluations: number };
}

const TECHNIQUE_TITLES: Record<(typeof TECHNIQUES)[number], string> = {
  augmentation: "Data augmentation",
  "early-stopping": "Early stopping",
  tuning: "Hyperparameter tuning (Tune)",
};

export function toolboxOptions(): ToolboxOptions {
  return {
    experiments: EXPERIMENTS.map((name) => ({ name, title: EXPERIMENT_INFO[name].title })),
    techniques: TECHNIQUES.map((name) => ({ name, title: TECHNIQUE_TITLES[name] })),
    defaults: {
      computeSeconds: DEFAULT_EXPERIMENT_COMPUTE_SECONDS,
      tuningTrials: DEFAULT_TUNING_TRIALS,
      testEvaluations: DEFAULT_TEST_EVALUATIONS,
    },
  };
}
