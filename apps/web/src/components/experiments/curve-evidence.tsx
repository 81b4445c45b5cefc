"use client";

import type { Evidence } from "@stepwise/exercises/experiments";
import { CartesianGrid, Legend, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { axisFor } from "~/lib/chart-ticks";
import { COLORS, Figure, tooltipNumber, trainValLines } from "./figure";

type Curve = Extract<Evidence, { kind: "curve" }>["history"];

/** Loss or accuracy by epoch, training against validation when there is one. */
export function EpochChart({
  title,
  history,
  metric,
  baseline,
}: {
  title: string;
  history: Curve;
  metric: "loss" | "accuracy";
  baseline?: number | undefined;
}) {
  const val = metric === "loss" ? "valLoss" : "valAccuracy";
  const hasVal = history.some((h) => h[val] !== undefined && h[val] !== null);
  const axis = axisFor([...history.flatMap((h) => [h[metric], h[val]]), baseline], metric === "accuracy" ? { bounds: [0, 1] } : {});
  return (
    <Figure
      title={title}
      data={{
        columns: ["epoch", "training", ...(hasVal ? ["validation"] : [])],
        rows: history.map((h) => [h.epoch, h[metric], ...(hasVal ? [h[val]] : [])]),
      }}
    >
      <ResponsiveContainer width="100%" height={220}>
        <LineChart accessibilityLayer={false} data={history} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke={COLORS.grid} />
          <XAxis dataKey="epoch" allowDecimals={false} />
          <YAxis width={60} domain={axis.domain} ticks={axis.ticks} tickFormatter={axis.format} allowDataOverflow />
          <Tooltip formatter={tooltipNumber} />
          <Legend />
          {trainValLines({ train: metric, val: hasVal ? val : undefined, dot: false })}
          {baseline !== undefined && (
            <ReferenceLine
              y={baseline}
              stroke={COLORS.muted}
              strokeDasharray="2 4"
              label={{ value: `chance ${baseline.toFixed(2)}`, position: "insideTopLeft", fill: COLORS.muted }}
            />
          )}
        </LineChart>
      </ResponsiveContainer>
    </Figure>
  );
}

/** `curve` evidence (tiny subset, shuffled labels, label as input): the training run the finding rests on. */
export function CurveEvidence({ evidence }: { evidence: Extract<Evidence, { kind: "curve" }> }) {
  const hasAccuracy = evidence.history.some((h) => h.accuracy !== undefined);
  return (
    <div className="charts">
      {hasAccuracy && <EpochChart title="Accuracy by epoch" history={evidence.history} metric="accuracy" baseline={evidence.baseline} />}
      <EpochChart title="Loss by epoch" history={evidence.history} metric="loss" />
    </div>
  );
}
