export { train, predict, buildModel, type TrainOptions } from "./harness";
export {
  augmentBatch,
  transformImage,
  drawTransform,
  imageShapeOf,
  augmentationRandom,
  type ImageTransform,
  type ImageShape,
} from "./augment";
export { labelEncoding, type Task, type LabelEncoding } from "./labels";
export { resolveInputShape } from "./inputs";
export { mulberry32, shuffle, range } from "./rng";
export { trainSteps, setLearningRate, firstEpochOrder, type BatchLoss, type StepsOptions, type StepsResult } from "./steps";
export { measureTrainingThroughput, THROUGHPUT_MODELS } from "./throughput";
