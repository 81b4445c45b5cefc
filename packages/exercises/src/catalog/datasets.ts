import type { AnswerDataset } from "./answers";

export const mnistData: AnswerDataset = {
  slug: "mnist",
  name: "MNIST",
  dataset: { kind: "mnist" },
  about: "MNIST holds 70,000 small grey-scale images of handwritten digits, each labelled with the digit it shows.",
};

export const imdbData: AnswerDataset = {
  slug: "imdb",
  name: "IMDB",
  dataset: { kind: "imdb", vocabularySize: 10_000 },
  about: "IMDB holds 50,000 movie reviews, each labelled positive or negative.",
};

/** Columns of `data/credit-default.csv`, offered as step 1 targets; a test checks they match the file. */
export const CREDIT_COLUMNS = [
  "age",
  "income",
  "loan_amount",
  "debt_ratio",
  "credit_lines",
  "late_payments",
  "employment",
  "housing",
  "region",
  "default",
] as const;

export const creditData: AnswerDataset = {
  slug: "credit",
  name: "a credit-default table",
  dataset: { kind: "csv", file: "credit-default.csv", target: "default", task: "binary" },
  targets: CREDIT_COLUMNS.map((column) => ({ value: column, label: `The column \`${column}\`` })),
  about:
    "The credit-default table describes 2,000 loan applicants (age, income, loan amount, debt ratio, late payments, employment, housing, region); the column `default` says whether they later defaulted (1) or not (0).",
};

/** Columns of `data/house-prices.csv`, offered as step 1 targets; a test checks they match the file. */
export const HOUSE_COLUMNS = [
  "area_m2",
  "rooms",
  "year_built",
  "distance_km",
  "lot_m2",
  "garage",
  "type",
  "neighbourhood",
  "condition",
  "price",
] as const;

export const housesData: AnswerDataset = {
  slug: "houses",
  name: "a house-price table",
  dataset: { kind: "csv", file: "house-prices.csv", target: "price", task: "regression" },
  targets: HOUSE_COLUMNS.map((column) => ({ value: column, label: `The column \`${column}\`` })),
  about:
    "The house-price table describes 2,500 house sales (area, rooms, year built, distance to the centre, lot, garage, type, neighbourhood, condition); the column `price` is the sale price in euros.",
};
