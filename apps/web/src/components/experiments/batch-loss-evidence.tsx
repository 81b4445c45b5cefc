"use client";

import type { Evidence } from "@stepwise/exercises/experiments";
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { axisFor } from "~/lib/chart-ticks";
import { COLORS, Figure, short, tooltipNumber } from "./figure";

/** `batch-loss` evidence: the training loss of every batch of the first epoch. */
export function BatchLossEvidence({ evidence }: { evidence: Extract<Evidence, { kind: "batch-loss" }> }) {
  const data = evidence.batches.map((b) => ({ batch: b.step + 1, loss: b.loss }));
  const axis = axisFor(data.map((d) => d.loss));
  return (
    <>
      <p className="muted small">
        {evidence.optimizer} at learning rate {short(evidence.learningRate)}, batches of {evidence.batchSize} from{" "}
        {evidence.epochSize.toLocaleString("en-US")} training examples.
      </p>
      <Figure title="Loss per batch" data={{ columns: ["batch", "training loss"], rows: data.map((d) => [d.batch, d.loss]) }}>
        <ResponsiveContainer width="100%" height={220}>
          <LineChart accessibilityLayer={false} data={data} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke={COLORS.grid} />
            <XAxis dataKey="batch" allowDecimals={false} />
            <YAxis width={60} domain={axis.domain} ticks={axis.ticks} tickFormatter={axis.format} allowDataOverflow />
            <Tooltip formatter={tooltipNumber} />
            <Line
              type="monotone"
              dataKey="loss"
              name="training loss"
              stroke={COLORS.train}
              strokeWidth={1.5}
              dot={false}
              isAnimationActive={false}
            />
          </LineChart>
        </ResponsiveContainer>
      </Figure>
    </>
  );
}
