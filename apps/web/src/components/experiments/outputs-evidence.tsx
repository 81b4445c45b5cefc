"use client";

import type { Evidence, Histogram } from "@stepwise/exercises/experiments";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { EpochChart } from "./curve-evidence";
import { COLORS, Figure, short } from "./figure";

type Outputs = Extract<Evidence, { kind: "outputs" }>;

/** Bin labels of an equal-width histogram: "0.1–0.2". */
export function bins(h: Histogram): string[] {
  const width = h.counts.length ? (h.to - h.from) / h.counts.length : 0;
  return h.counts.map((_, i) => `${short(h.from + i * width)}–${short(h.from + (i + 1) * width)}`);
}

/** Counts per category before (`start`) and after (`trained`) the short training, side by side. */
function BeforeAfterBars<K extends string>(props: {
  title: string;
  data: Array<Record<K, string> & { start: number; trained: number }>;
  category: K;
  header: string;
  tick?: { fontSize: number };
}) {
  return (
    <Figure
      title={props.title}
      data={{
        columns: [props.header, "untrained", "after training"],
        rows: props.data.map((d) => [d[props.category], d.start, d.trained]),
      }}
    >
      <ResponsiveContainer width="100%" height={220}>
        <BarChart accessibilityLayer={false} data={props.data} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke={COLORS.grid} />
          <XAxis dataKey={props.category} {...(props.tick ? { tick: props.tick } : {})} />
          <YAxis width={44} allowDecimals={false} />
          <Tooltip />
          <Legend />
          <Bar dataKey="start" name="untrained" fill={COLORS.muted} isAnimationActive={false} />
          <Bar dataKey="trained" name="after training" fill={COLORS.train} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </Figure>
  );
}

/** `outputs` evidence: what the model outputs before and after a short training. */
export function OutputsEvidence({ evidence }: { evidence: Outputs }) {
  const labels = bins(evidence.trained.histogram);
  const histogram = labels.map((bin, i) => ({
    bin,
    start: evidence.start.histogram.counts[i] ?? 0,
    trained: evidence.trained.histogram.counts[i] ?? 0,
  }));
  const classes = evidence.trained.classCounts.map((count, k) => ({
    class: String(k),
    start: evidence.start.classCounts[k] ?? 0,
    trained: count,
  }));
  return (
    <>
      <p className="muted small">
        Most predicted class: {(evidence.trained.topClassShare * 100).toFixed(1)}% of validation examples after training; saturated outputs{" "}
        {(evidence.trained.saturated * 100).toFixed(1)}%; spread (std) {short(evidence.trained.std)}.
      </p>
      <div className="charts">
        <BeforeAfterBars title="Outputs (histogram)" data={histogram} category="bin" header="output" tick={{ fontSize: 10 }} />
        {classes.length > 0 && <BeforeAfterBars title="Predicted classes" data={classes} category="class" header="class" />}
        {evidence.history.length > 0 && <EpochChart title="Loss during the short training" history={evidence.history} metric="loss" />}
      </div>
    </>
  );
}
