export { parseModelSpec, type ParsedModel } from "./parse";
export { DEFAULT_MODEL_LIMITS, resolveLimits, type ModelLimits } from "./limits";
export { LAYER_CLASSES } from "./layers";
export { ACTIVATION_NAMES, INITIALIZER_NAMES } from "./objects";
export { withSeeds, deriveSeed } from "./seeds";
export {
  calibrate,
  epochSeconds,
  estimateTrainingSeconds,
  fitThroughput,
  trainingSeconds,
  validateTrainingConfig,
  WARM_TRAINING_OVERHEAD_SECONDS,
  type EpochWork,
  type EstimateInput,
  type ThroughputSample,
  type TrainingBudgets,
  type TrainingThroughput,
  type TrainingWork,
} from "./estimate";
export {
  CORRECTION_DATASETS,
  CORRECTION_JOBS,
  CORRECTION_RANGE,
  CORRECTION_RUNS_PER_JOB,
  correctionFor,
  correctionOf,
  DATASET_KEY_MAX_LENGTH,
  datasetKey,
  SpeedCorrection,
  trainingRatio,
  type PublishedCorrection,
  type TimedTraining,
} from "./correction";
export type { Json, JsonObject } from "./json";
export { estimateTrainingMemory, formatBytes, type MemoryEstimate } from "./memory";
