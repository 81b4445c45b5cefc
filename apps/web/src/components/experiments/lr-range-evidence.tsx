"use client";

import type { Evidence } from "@stepwise/exercises/experiments";
import { CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { axisFor } from "~/lib/chart-ticks";
import { COLORS, Figure, short, tooltipNumber } from "./figure";

/** `lr-range` evidence: the loss as the learning rate sweeps up (log scale), with the suggestion and the student's rate. */
export function LrRangeEvidence({ evidence }: { evidence: Extract<Evidence, { kind: "lr-range" }> }) {
  const axis = axisFor(evidence.points.flatMap((p) => [p.loss, p.smoothed]));
  return (
    <>
      <p className="muted small">
        {evidence.optimizer}: suggested learning rate {short(evidence.suggested)}, yours {short(evidence.student)}; lowest loss at{" "}
        {short(evidence.minimumAt)}, steepest fall at {short(evidence.steepestAt)}. The checklist starts from rmsprop at 0.001.
      </p>
      <Figure
        title="Loss against learning rate"
        data={{ columns: ["learning rate", "loss", "smoothed"], rows: evidence.points.map((p) => [p.learningRate, p.loss, p.smoothed]) }}
      >
        <ResponsiveContainer width="100%" height={220}>
          <LineChart accessibilityLayer={false} data={evidence.points} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke={COLORS.grid} />
            <XAxis
              dataKey="learningRate"
              type="number"
              scale="log"
              domain={["dataMin", "dataMax"]}
              tickFormatter={(v: number) => short(v)}
            />
            <YAxis width={60} domain={axis.domain} ticks={axis.ticks} tickFormatter={axis.format} allowDataOverflow />
            <Tooltip formatter={tooltipNumber} labelFormatter={(v) => `learning rate ${tooltipNumber(v)}`} />
            <Legend />
            <Line type="monotone" dataKey="loss" name="loss" stroke={COLORS.muted} strokeWidth={1} dot={false} isAnimationActive={false} />
            <Line
              type="monotone"
              dataKey="smoothed"
              name="smoothed"
              stroke={COLORS.train}
              strokeWidth={2}
              dot={false}
              isAnimationActive={false}
            />
            <ReferenceLine
              x={evidence.suggested}
              stroke={COLORS.accent2}
              strokeDasharray="4 3"
              label={{ value: "suggested", position: "insideTopRight", fill: COLORS.accent2 }}
            />
            <ReferenceLine
              x={evidence.student}
              stroke={COLORS.val}
              strokeDasharray="2 4"
              label={{ value: "yours", position: "insideTopLeft", fill: COLORS.val }}
            />
          </LineChart>
        </ResponsiveContainer>
      </Figure>
    </>
  );
}
