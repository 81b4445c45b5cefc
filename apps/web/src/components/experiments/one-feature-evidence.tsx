"use client";

import type { Evidence } from "@stepwise/exercises/experiments";
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { EpochChart } from "./curve-evidence";
import { axisFor } from "~/lib/chart-ticks";
import { COLORS, Figure, short, tooltipNumber } from "./figure";

/** `one-feature` evidence: the reduced input's validation score against the dumb baseline, and its curve. */
export function OneFeatureEvidence({ evidence }: { evidence: Extract<Evidence, { kind: "one-feature" }> }) {
  const data = [
    { name: `${evidence.features} of ${evidence.fullFeatures} values`, value: evidence.score ?? 0 },
    { name: "dumb baseline", value: evidence.baseline },
  ];
  // Bars start at 0; an accuracy axis stops at 1.
  const axis = axisFor([0, ...data.map((d) => d.value)], evidence.metric === "accuracy" ? { bounds: [0, 1] } : {});
  return (
    <>
      <p className="muted small">
        Input: {evidence.input}. Validation {evidence.metric}: {short(evidence.score)} against {short(evidence.baseline)} for the dumb
        baseline.
      </p>
      <div className="charts">
        <Figure
          title={`Validation ${evidence.metric}`}
          data={{ columns: ["input", evidence.metric], rows: data.map((d) => [d.name, d.value]) }}
        >
          <ResponsiveContainer width="100%" height={220}>
            <BarChart accessibilityLayer={false} data={data} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
              <CartesianGrid strokeDasharray="3 3" stroke={COLORS.grid} />
              <XAxis dataKey="name" />
              <YAxis width={52} domain={axis.domain} ticks={axis.ticks} tickFormatter={axis.format} allowDataOverflow />
              <Tooltip formatter={tooltipNumber} />
              <Bar dataKey="value" name={evidence.metric} fill={COLORS.train} isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
        </Figure>
        <EpochChart title="Loss by epoch on the reduced input" history={evidence.history} metric="loss" />
      </div>
    </>
  );
}
