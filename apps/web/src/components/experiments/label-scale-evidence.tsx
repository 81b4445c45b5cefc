"use client";

import type { Evidence } from "@stepwise/exercises/experiments";
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { COLORS, Figure, short } from "./figure";
import { bins } from "./outputs-evidence";

type LabelScale = Extract<Evidence, { kind: "label-scale" }>;
type Stats = LabelScale["targets"];

function Distribution({ title, stats, color }: { title: string; stats: Stats; color: string }) {
  const data = bins(stats.histogram).map((bin, i) => ({ bin, count: stats.histogram.counts[i] ?? 0 }));
  return (
    <Figure
      title={`${title}: mean ${short(stats.mean)}, std ${short(stats.std)}`}
      data={{ columns: ["range", "examples"], rows: data.map((d) => [d.bin, d.count]) }}
    >
      <ResponsiveContainer width="100%" height={220}>
        <BarChart accessibilityLayer={false} data={data} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke={COLORS.grid} />
          <XAxis dataKey="bin" tick={{ fontSize: 10 }} />
          <YAxis width={44} allowDecimals={false} />
          <Tooltip />
          <Bar dataKey="count" name="examples" fill={color} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </Figure>
  );
}

/** `label-scale` evidence: the training targets against what the untrained model outputs. */
export function LabelScaleEvidence({ evidence }: { evidence: LabelScale }) {
  return (
    <>
      <p className="muted small">
        The targets are {short(evidence.ratio)}× the size of the untrained model&apos;s outputs (root mean square).
      </p>
      <div className="charts">
        <Distribution title="Training targets" stats={evidence.targets} color={COLORS.val} />
        <Distribution title="Untrained outputs" stats={evidence.outputs} color={COLORS.train} />
      </div>
    </>
  );
}
