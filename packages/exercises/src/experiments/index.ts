export { EXPERIMENTS, OUTCOMES, EXPERIMENT_INFO, type ExperimentName, type ExperimentOutcome } from "./names";
export { ExperimentResult, Evidence, Curve, Histogram } from "./result";
export {
  runExperiment,
  runExperimentOn,
  defaultTrainLimit,
  DEFAULT_TRAIN_LIMIT,
  DEFAULT_MAX_SECONDS,
  LEARNING_CURVE_WORK,
  type ExperimentOptions,
} from "./run";
export { learningCurveWork, FRACTIONS as LEARNING_CURVE_FRACTIONS } from "./checks/learning-curve";
export type { ExperimentContext } from "./context";
export { suggestExperiments, experimentAppliesTo, type Suggestion } from "./suggest";
export { tinySubset, withLabelAsInput, withShuffledLabels, downsampled, onlyFeatures, onlyTokens } from "./sets";
