"use client";

import type { EpochMetrics } from "@stepwise/core/contracts";
import { CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

const TRAIN = "#2f4fd6";
const VAL = "#c2410c";

function Chart({ title, history, train, val, baseline }: { title: string; history: EpochMetrics[]; train: keyof EpochMetrics; val: keyof EpochMetrics; baseline?: number | null }) {
  return (
    <figure className="chart" style={{ margin: 0 }}>
      <figcaption className="muted" style={{ fontWeight: 600 }}>
        {title}
      </figcaption>
      <ResponsiveContainer width="100%" height={220}>
        <LineChart data={history} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e3e5ea" />
          <XAxis dataKey="epoch" allowDecimals={false} label={{ value: "epoch", position: "insideBottomRight", offset: -2 }} />
          <YAxis width={52} domain={["auto", "auto"]} tickFormatter={(v: number) => v.toFixed(2)} />
          <Tooltip formatter={(v) => (typeof v === "number" ? v.toFixed(4) : String(v))} />
          <Legend />
          <Line type="monotone" dataKey={train} name="training" stroke={TRAIN} strokeWidth={2} dot={{ r: 2 }} isAnimationActive={false} connectNulls />
          <Line type="monotone" dataKey={val} name="validation" stroke={VAL} strokeWidth={2} strokeDasharray="5 3" dot={{ r: 2 }} isAnimationActive={false} connectNulls />
          {baseline != null && <ReferenceLine y={baseline} ifOverflow="extendDomain" stroke="#555a64" strokeDasharray="2 4" label={{ value: `baseline ${baseline.toFixed(3)}`, position: "insideTopLeft", fill: "#555a64" }} />}
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}

/** Per-epoch loss and accuracy, training against validation; the dumb baseline as a line on accuracy. */
export function LearningCurves({ history, baseline }: { history: EpochMetrics[]; baseline?: number | null }) {
  if (history.length === 0) return null;
  const hasAccuracy = history.some((h) => h.accuracy !== undefined || h.valAccuracy !== undefined);
  return (
    <div className="charts" data-testid="learning-curves">
      <Chart title="Loss" history={history} train="loss" val="valLoss" />
      {hasAccuracy && <Chart title="Accuracy" history={history} train="accuracy" val="valAccuracy" baseline={baseline} />}
    </div>
  );
}
