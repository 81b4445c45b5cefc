export * from "./search";
export * from "./result";
export { expandSearch, describeValues } from "./expand";
export { applyTrial, checkSpaceFits, prepareTrials, tuningDataset, type PreparedTrial } from "./apply";
export {
  runTuning,
  checkTuning,
  trialLabel,
  TRIAL_LABEL,
  FINAL_LABEL,
  type TrialOutcome,
  type TrialInfo,
  type TuningRunners,
  type TuningInput,
} from "./run";
export { scoreTrial, scoreFinal, selectionMetric, stopReasonText, type TrialScore } from "./score";
export { trainTrial, trainFinalInProcess, finalTraining, type SelectionData, type FinalData, type TrialTrainingInput } from "./train";
export { tuneOn, tuneLocally, type LocalTuningOptions } from "./local";
export {
  estimateTuning,
  estimateTuningSeconds,
  proposeSearch,
  WARM_TRAINING_OVERHEAD_SECONDS,
  type TuningEstimate,
  type TuningEstimateOptions,
} from "./estimate";
export { Halving, halvingSchedule, promote, scheduleEpochs, type Rung } from "./halving";
