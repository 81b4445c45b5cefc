"use client";

import type { Evidence } from "@stepwise/exercises/experiments";
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { COLORS, Figure } from "./figure";

type Batches = Extract<Evidence, { kind: "batches" }>;

const PALETTE = ["#2f4fd6", "#c2410c", "#13703a", "#7a5200", "#7c3aed", "#0e7490", "#be185d", "#4d7c0f", "#555a64", "#b45309"];

/** One stacked bar per batch: how many examples of each class it holds. */
function Composition({ title, classes, counts }: { title: string; classes: string[]; counts: number[][] }) {
  const data = counts.map((row, i) => ({ batch: i + 1, ...Object.fromEntries(row.map((c, k) => [classes[k] ?? String(k), c])) }));
  return (
    <Figure
      title={title}
      data={{ columns: ["batch", ...classes], rows: counts.map((row, i) => [i + 1, ...classes.map((_, k) => row[k] ?? 0)]) }}
    >
      <ResponsiveContainer width="100%" height={220}>
        <BarChart accessibilityLayer={false} data={data} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke={COLORS.grid} />
          <XAxis dataKey="batch" allowDecimals={false} />
          <YAxis width={40} allowDecimals={false} />
          <Tooltip />
          {classes.map((name, k) => (
            <Bar key={name} dataKey={name} stackId="classes" fill={PALETTE[k % PALETTE.length]} isAnimationActive={false} />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </Figure>
  );
}

/** `batches` evidence (is the data shuffled?): class composition of the first batches, pipeline against raw order. */
export function BatchesEvidence({ evidence }: { evidence: Batches }) {
  return (
    <>
      <p className="muted small">
        Batches of {evidence.batchSize}; your <code>shuffle</code> is {evidence.shuffle ? "on" : "off"}. Longest run of one class:{" "}
        {evidence.pipeline.longestRun} in the pipeline, {evidence.raw.longestRun} in the raw data; single-class batches:{" "}
        {evidence.pipeline.singleClassBatches}.
      </p>
      <div className="charts">
        <Composition title="First batches as training sees them" classes={evidence.classes} counts={evidence.pipeline.counts} />
        <Composition title="The same examples in raw order" classes={evidence.classes} counts={evidence.raw.counts} />
      </div>
    </>
  );
}
