/**
 * Writes `credit-default.csv`: 2,000 synthetic loan applicants, about 8 % of whom default. It exists so
 * that steps 2–4 have a dataset where the right answers differ from MNIST and IMDB: an imbalanced
 * binary target (accuracy misleads), few examples (K-fold, not hold-out), and numeric columns on very
 * different scales next to categorical ones (standardize and one-hot).
 *
 * Deterministic: the same seed writes the same bytes. Run with
 * `pnpm --filter @stepwise/exercises run data:credit`; a test checks the committed file matches.
 */
import { join } from "node:path";
import { createRng } from "@stepwise/core/datasets";
import { clamp, csvText, normal, pick, writeWhenRun } from "./synthetic";

export const CREDIT_SEED = 20_240_901;
export const CREDIT_ROWS = 2_000;

const EMPLOYMENT = ["salaried", "self-employed", "unemployed", "retired"] as const;
const HOUSING = ["own", "mortgage", "rent"] as const;
const REGION = ["north", "south", "east", "west"] as const;

/** The CSV text: a header and `rows` applicants; the target column is `default` (1 = defaulted). */
export function creditDefaultCsv(seed = CREDIT_SEED, rows = CREDIT_ROWS): string {
  const rng = createRng(seed);
  const lines: (string | number)[][] = [];
  for (let i = 0; i < rows; i++) {
    const age = Math.round(clamp(42 + 12 * normal(rng), 19, 85));
    const employment = pick(rng, EMPLOYMENT, age > 64 ? [2, 1, 1, 6] : [14, 3, 1, 0]);
    const housing = pick(rng, HOUSING, age < 30 ? [1, 2, 7] : [4, 4, 2]);
    const region = pick(rng, REGION, [1, 1, 1, 1]);
    // Income in euros and loan amounts are in the tens of thousands, ratios below 1: very different scales.
    const base = employment === "unemployed" ? 14_000 : employment === "retired" ? 26_000 : 38_000;
    const income = Math.round(clamp(base * Math.exp(0.4 * normal(rng)), 6_000, 250_000) / 100) * 100;
    const loanAmount = Math.round(clamp(income * (0.2 + 0.5 * rng.next()), 1_000, 120_000) / 100) * 100;
    const debtRatio = clamp(0.3 + 0.15 * normal(rng), 0, 1.5);
    const creditLines = Math.round(clamp(4 + 2.5 * normal(rng), 0, 20));
    const latePayments = Math.min(12, Math.floor(-Math.log(1 - rng.next()) * (debtRatio > 0.45 ? 1.2 : 0.4)));
    const risk =
      3.2 * (debtRatio - 0.3) +
      0.55 * latePayments +
      1.1 * (loanAmount / income - 0.45) -
      0.02 * (age - 42) +
      (employment === "unemployed" ? 1.4 : employment === "self-employed" ? 0.5 : 0) +
      (housing === "rent" ? 0.35 : 0);
    // Steep enough that the columns decide most cases (the true rule is ~98% accurate), so a model can
    // beat always answering "no" (~92%) significantly on 400 test rows in steps 5–7; defaults stay rare.
    const logit = -13.2 + 8 * risk;
    const defaulted = rng.next() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
    lines.push([age, income, loanAmount, debtRatio.toFixed(3), creditLines, latePayments, employment, housing, region, defaulted]);
  }
  return csvText("age,income,loan_amount,debt_ratio,credit_lines,late_payments,employment,housing,region,default", lines);
}

export const creditDefaultFile = join(import.meta.dirname, "credit-default.csv");

writeWhenRun(import.meta.filename, creditDefaultFile, () => creditDefaultCsv());
