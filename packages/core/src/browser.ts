/**
 * `@stepwise/core/browser`: the part of core a browser bundle may import — pure TypeScript, no `node:`
 * modules and no file access (`browser.test.ts` walks the imports to hold it so). The preview worker
 * encodes, splits and stops the way the grader does because both import these same functions; the
 * node-only dataset loaders (files, caches) live behind `@stepwise/core/datasets/node`.
 */
export { PAD_ID, OOV_ID, FIRST_WORD_ID } from "./datasets/imdb-corpus";
export { multiHotSet, sequenceSet, embeddingInputDim, writeSequence, writeMultiHot } from "./datasets/imdb-sets";
export { labelEncoding, type Task, type LabelEncoding } from "./training/labels";
export { earlyStopping, type EarlyStopping } from "./training/early-stopping";
export { validationSplit } from "./training/split";
export { augmentBatch, augmentationRandom, type ImageShape } from "./training/augment";
export { selectFeatures, keptFeatures, type EncodedRows } from "./datasets/features";
export { prepareImageInputs, type InputScaling } from "./datasets/preparation";
export type { ExampleSet } from "./datasets/types";
