"use client";

import type { EpochMetrics } from "@stepwise/core/contracts";
import { CartesianGrid, Legend, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { axisFor } from "~/lib/chart-ticks";
import { COLORS, Figure, trainValLines } from "./experiments/figure";

function Chart({
  title,
  history,
  train,
  val,
  baseline,
  accuracy,
}: {
  title: string;
  history: EpochMetrics[];
  train: keyof EpochMetrics;
  val: keyof EpochMetrics;
  baseline?: number | null;
  accuracy?: boolean;
}) {
  const values = history.flatMap((h) => [h[train], h[val]]).filter((v): v is number => typeof v === "number");
  const axis = axisFor(baseline != null ? [...values, baseline] : values, accuracy ? { bounds: [0, 1] } : {});
  return (
    <Figure
      title={title}
      description={`training and validation ${title.toLowerCase()} over ${history.length} epochs${baseline != null ? `, baseline ${baseline.toFixed(3)}` : ""}`}
      data={{ columns: ["epoch", "training", "validation"], rows: history.map((h) => [h.epoch, h[train], h[val]]) }}
    >
      <ResponsiveContainer width="100%" height={220}>
        <LineChart accessibilityLayer={false} data={history} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke={COLORS.grid} />
          <XAxis dataKey="epoch" allowDecimals={false} label={{ value: "epoch", position: "insideBottomRight", offset: -2 }} />
          <YAxis width={60} domain={axis.domain} ticks={axis.ticks} tickFormatter={axis.format} allowDataOverflow />
          <Tooltip formatter={(v) => (typeof v === "number" ? v.toFixed(4) : String(v))} />
          <Legend />
          {trainValLines({ train, val, dot: { r: 2 } })}
          {baseline != null && (
            <ReferenceLine
              y={baseline}
              stroke={COLORS.muted}
              strokeDasharray="2 4"
              label={{ value: `baseline ${baseline.toFixed(3)}`, position: "insideTopLeft", fill: COLORS.muted }}
            />
          )}
        </LineChart>
      </ResponsiveContainer>
    </Figure>
  );
}

/** Per-epoch loss and accuracy, training against validation; the dumb baseline as a line on accuracy. */
export function LearningCurves({ history, baseline }: { history: EpochMetrics[]; baseline?: number | null }) {
  if (history.length === 0) return null;
  const hasAccuracy = history.some((h) => h.accuracy !== undefined || h.valAccuracy !== undefined);
  return (
    <div className="charts" data-testid="learning-curves">
      <Chart title="Loss" history={history} train="loss" val="valLoss" />
      {hasAccuracy && <Chart title="Accuracy" history={history} train="accuracy" val="valAccuracy" baseline={baseline} accuracy />}
    </div>
  );
}
