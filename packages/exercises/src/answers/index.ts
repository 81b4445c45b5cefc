export { gradeAnswers, answerProblems } from "./grade";
export {
  answerFacts,
  builtInDataDir,
  csvText,
  CSV_TEST_FRACTION,
  loadCsvTraining,
  uploadedCsv,
  type AnswerFacts,
  type AnswerOptions,
} from "./facts";
export { resolveCsv, type CsvSource, type UploadedCsv } from "./csv-source";
export { previewCsv, type CsvPreview } from "./preview-csv";
export * from "./questions";
export { IMBALANCE_RATIO, SHARE_TOLERANCE } from "./metric";
export { KFOLD_BELOW, MIN_FOLDS, MAX_FOLDS, HOLDOUT_RANGE } from "./protocol";
export { MIN_COVERAGE } from "./prepare-imdb";
export { smallTestSplitWarning } from "./split-warning";
