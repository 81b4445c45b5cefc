export { train, predict, buildModel, type TrainOptions } from "./harness";
export { labelEncoding, type Task, type LabelEncoding } from "./labels";
export { resolveInputShape } from "./inputs";
export { mulberry32, shuffle, range } from "./rng";
export { trainSteps, setLearningRate, firstEpochOrder, type BatchLoss, type StepsOptions, type StepsResult } from "./steps";
