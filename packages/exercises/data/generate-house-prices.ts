/**
 * Writes `house-prices.csv`: 2,500 synthetic house sales for the regression path of steps 5–7. The
 * target, `price`, is in euros (roughly 100,000 to 1,500,000), so it must be standardized before a
 * network can fit it with ordinary learning rates; the inputs mix scales (square metres, years, km)
 * with categorical columns. Prices follow a multiplicative model (price per m² by neighbourhood,
 * condition and type, discounted with distance) with 12% log-normal noise: learnable, with enough
 * noise left that a large network overfits the 2,000 training rows.
 *
 * Deterministic: the same seed writes the same bytes. Run with
 * `pnpm --filter @stepwise/exercises run data:houses`; a test checks the committed file matches.
 */
import { join } from "node:path";
import { createRng } from "@stepwise/core/datasets";
import { clamp, csvText, normal, pick, writeWhenRun } from "./synthetic";

export const HOUSES_SEED = 20_250_314;
export const HOUSES_ROWS = 2_500;

const NEIGHBOURHOODS = [
  ["old-town", 6_200],
  ["riverside", 5_100],
  ["university", 4_300],
  ["harbour", 3_700],
  ["suburbs", 2_900],
  ["industrial", 2_100],
] as const;
const CONDITION = [
  ["poor", 0.72],
  ["fair", 0.88],
  ["good", 1],
  ["excellent", 1.16],
] as const;
const TYPES = [
  ["apartment", 1.05],
  ["townhouse", 1],
  ["house", 0.95],
] as const;

/** The CSV text: a header and `rows` sales; the target column is `price` (euros). */
export function housePricesCsv(seed = HOUSES_SEED, rows = HOUSES_ROWS): string {
  const rng = createRng(seed);
  const lines: (string | number)[][] = [];
  for (let i = 0; i < rows; i++) {
    const [type, typeFactor] = pick(rng, TYPES, [5, 2, 3]);
    const [neighbourhood, perM2] = pick(rng, NEIGHBOURHOODS, [2, 3, 3, 2, 5, 1]);
    const [condition, conditionFactor] = pick(rng, CONDITION, [1, 3, 4, 2]);
    const area = Math.round(clamp((type === "apartment" ? 75 : 140) * Math.exp(0.35 * normal(rng)), 25, 450));
    const rooms = Math.round(clamp(area / 30 + 0.7 * normal(rng), 1, 12));
    const yearBuilt = Math.round(clamp(1975 + 28 * normal(rng), 1880, 2024));
    const centre = neighbourhood === "old-town" ? 1.5 : neighbourhood === "suburbs" ? 14 : 6;
    const distance = Math.round(clamp(centre * Math.exp(0.5 * normal(rng)), 0.2, 45) * 10) / 10;
    const lot = type === "apartment" ? 0 : Math.round(clamp(area * (2 + 3 * rng.next()), 80, 4_000) / 10) * 10;
    const garage = rng.next() < (type === "apartment" ? 0.25 : 0.7) ? 1 : 0;
    // New and very old (listed) buildings sell higher than 1960s–80s ones.
    const vintage = 1 + 0.00012 * (yearBuilt - 1975) ** 2 * (yearBuilt > 1975 ? 1 : 0.5);
    const value =
      perM2 * area * conditionFactor * typeFactor * vintage * Math.exp(-0.018 * distance) + 45 * lot + 14_000 * garage + 6_000 * rooms;
    const price = Math.round((value * Math.exp(0.12 * normal(rng))) / 1_000) * 1_000;
    lines.push([area, rooms, yearBuilt, distance.toFixed(1), lot, garage, type, neighbourhood, condition, price]);
  }
  return csvText("area_m2,rooms,year_built,distance_km,lot_m2,garage,type,neighbourhood,condition,price", lines);
}

export const housePricesFile = join(import.meta.dirname, "house-prices.csv");

writeWhenRun(import.meta.filename, housePricesFile, () => housePricesCsv());
