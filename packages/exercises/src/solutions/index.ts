import { SubmissionPayload } from "@stepwise/core/contracts";
import mnistReference from "./mnist-beat-baseline.reference.json";
import mnistNaive from "./mnist-beat-baseline.naive.json";
import imdbReference from "./imdb-beat-baseline.reference.json";
import imdbNaive from "./imdb-beat-baseline.naive.json";
import mnistOverfitReference from "./mnist-overfit.reference.json";
import mnistOverfitNaive from "./mnist-overfit.naive.json";
import imdbOverfitReference from "./imdb-overfit.reference.json";
import imdbOverfitNaive from "./imdb-overfit.naive.json";
import mnistRegularizeReference from "./mnist-regularize.reference.json";
import mnistRegularizeNaive from "./mnist-regularize.naive.json";
import imdbRegularizeReference from "./imdb-regularize.reference.json";
import imdbRegularizeNaive from "./imdb-regularize.naive.json";
import creditReference from "./credit-beat-baseline.reference.json";
import creditNaive from "./credit-beat-baseline.naive.json";
import housesReference from "./houses-beat-baseline.reference.json";
import housesNaive from "./houses-beat-baseline.naive.json";
import creditOverfitReference from "./credit-overfit.reference.json";
import creditOverfitNaive from "./credit-overfit.naive.json";
import housesOverfitReference from "./houses-overfit.reference.json";
import housesOverfitNaive from "./houses-overfit.naive.json";
import creditRegularizeReference from "./credit-regularize.reference.json";
import creditRegularizeNaive from "./credit-regularize.naive.json";
import housesRegularizeReference from "./houses-regularize.reference.json";
import housesRegularizeNaive from "./houses-regularize.naive.json";

export interface SolutionSet {
  /** A submission that passes. */
  reference: SubmissionPayload;
  /** A submission that fails, and why it must. */
  naive: SubmissionPayload;
  naiveFailsBecause: string;
}

/** Reference and naive submissions per exercise; a test regrades every one of them. */
export const solutions: Readonly<Record<string, SolutionSet>> = {
  "mnist-beat-baseline": {
    reference: SubmissionPayload.parse(mnistReference),
    naive: SubmissionPayload.parse(mnistNaive),
    naiveFailsBecause: "a learning rate of 1e-7 leaves the random initialization untrained: no better than the majority class",
  },
  "imdb-beat-baseline": {
    reference: SubmissionPayload.parse(imdbReference),
    naive: SubmissionPayload.parse(imdbNaive),
    naiveFailsBecause: "softmax over a single output unit always answers 1: every review is called positive",
  },
  "mnist-overfit": {
    reference: SubmissionPayload.parse(mnistOverfitReference),
    naive: SubmissionPayload.parse(mnistOverfitNaive),
    naiveFailsBecause: "8 hidden units for 3 epochs is still improving: too little capacity and time to overfit",
  },
  "imdb-overfit": {
    reference: SubmissionPayload.parse(imdbOverfitReference),
    naive: SubmissionPayload.parse(imdbOverfitNaive),
    naiveFailsBecause: "4 hidden units for 2 epochs is still improving: too little capacity and time to overfit",
  },
  // Step 7 grades against the student's step-6 model: the step-6 reference above.
  "mnist-regularize": {
    reference: SubmissionPayload.parse(mnistRegularizeReference),
    naive: SubmissionPayload.parse(mnistRegularizeNaive),
    naiveFailsBecause: "resubmitting the step-6 model unchanged cannot narrow its own train/validation gap",
  },
  "imdb-regularize": {
    reference: SubmissionPayload.parse(imdbRegularizeReference),
    naive: SubmissionPayload.parse(imdbRegularizeNaive),
    naiveFailsBecause: "resubmitting the step-6 model unchanged cannot narrow its own train/validation gap",
  },
  // The CSV tables: the reference validates with 4-fold cross-validation (1,600 training rows are few).
  "credit-beat-baseline": {
    reference: SubmissionPayload.parse(creditReference),
    naive: SubmissionPayload.parse(creditNaive),
    naiveFailsBecause:
      'a linear model after 3 epochs of plain SGD has only learned that defaults are rare: it answers "no" and scores the majority rate',
  },
  "houses-beat-baseline": {
    reference: SubmissionPayload.parse(housesReference),
    naive: SubmissionPayload.parse(housesNaive),
    naiveFailsBecause:
      "a learning rate of 1e-6 leaves the network at its initialization: it predicts about the mean price, no better than the baseline",
  },
  "credit-overfit": {
    reference: SubmissionPayload.parse(creditOverfitReference),
    naive: SubmissionPayload.parse(creditOverfitNaive),
    naiveFailsBecause: "4 hidden units for 3 epochs is still improving: too little capacity and time to overfit",
  },
  "houses-overfit": {
    reference: SubmissionPayload.parse(housesOverfitReference),
    naive: SubmissionPayload.parse(housesOverfitNaive),
    naiveFailsBecause: "4 hidden units for 3 epochs is still improving: too little capacity and time to overfit",
  },
  "credit-regularize": {
    reference: SubmissionPayload.parse(creditRegularizeReference),
    naive: SubmissionPayload.parse(creditRegularizeNaive),
    naiveFailsBecause: "resubmitting the step-6 model unchanged cannot narrow its own train/validation gap",
  },
  "houses-regularize": {
    reference: SubmissionPayload.parse(housesRegularizeReference),
    naive: SubmissionPayload.parse(housesRegularizeNaive),
    naiveFailsBecause: "resubmitting the step-6 model unchanged cannot narrow its own train/validation gap",
  },
};
export { answerSolutions, type AnswerSolutionSet } from "./answers";
