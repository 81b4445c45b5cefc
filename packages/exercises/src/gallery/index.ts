export { MISTAKES, sortedByTarget, withOutliers, type CsvVariant, type Mistake } from "./mistakes";
export { mistakeIn, type Change, type Editable } from "./edit";
