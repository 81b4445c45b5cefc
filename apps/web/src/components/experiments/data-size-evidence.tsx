"use client";

import type { Evidence } from "@stepwise/exercises/experiments";
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { axisFor } from "~/lib/chart-ticks";
import { COLORS, Figure, short, tooltipNumber } from "./figure";

type DataSize = Extract<Evidence, { kind: "data-size" }>;

/**
 * `data-size` evidence (the learning curve): training and validation metric against the number of
 * training examples, on a log scale so each doubling of the data is one step along the axis. A
 * validation line still rising at the right end says more data would help.
 */
export function DataSizeEvidence({ evidence }: { evidence: DataSize }) {
  const accuracy = evidence.metric === "accuracy";
  const sizes = evidence.points.map((p) => p.examples);
  const axis = axisFor(
    evidence.points.flatMap((p) => [p.trainMetric, p.valMetric]),
    accuracy ? { bounds: [0, 1] } : {},
  );
  return (
    <>
      <p className="muted small">
        Each point is the model trained on {evidence.points.map((p) => `${Math.round(p.fraction * 100)}%`).join(", ")} of the examples (
        {sizes.map((n) => n.toLocaleString("en-US")).join(", ")}), at its best epoch, validated on the same{" "}
        {evidence.validationExamples.toLocaleString("en-US")} held-out examples.
      </p>
      <Figure
        title={`${accuracy ? "Accuracy" : "Loss"} against training examples`}
        description={`validation ${evidence.metric} ${evidence.points.map((p) => `${short(p.valMetric)} with ${p.examples}`).join(", ")}`}
        data={{
          columns: ["training examples", "training", "validation"],
          rows: evidence.points.map((p) => [p.examples, p.trainMetric, p.valMetric]),
        }}
      >
        <ResponsiveContainer width="100%" height={220}>
          <LineChart accessibilityLayer={false} data={evidence.points} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke={COLORS.grid} />
            <XAxis
              dataKey="examples"
              type="number"
              scale="log"
              domain={["dataMin", "dataMax"]}
              ticks={sizes}
              tickFormatter={(v: number) => v.toLocaleString("en-US")}
            />
            <YAxis width={60} domain={axis.domain} ticks={axis.ticks} tickFormatter={axis.format} allowDataOverflow />
            <Tooltip formatter={tooltipNumber} labelFormatter={(v) => `${tooltipNumber(v)} training examples`} />
            <Legend />
            <Line
              type="monotone"
              dataKey="trainMetric"
              name="training"
              stroke={COLORS.train}
              strokeWidth={2}
              isAnimationActive={false}
              connectNulls
            />
            <Line
              type="monotone"
              dataKey="valMetric"
              name="validation"
              stroke={COLORS.val}
              strokeWidth={2}
              strokeDasharray="5 3"
              isAnimationActive={false}
              connectNulls
            />
          </LineChart>
        </ResponsiveContainer>
      </Figure>
    </>
  );
}
