"use client";

import { useQuery } from "@tanstack/react-query";
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { axisFor } from "~/lib/chart-ticks";
import { mergeHistories } from "~/lib/curves";
import { Figure } from "./experiments/figure";
import { formatDate } from "~/lib/format";
import { useTRPC } from "~/trpc/react";

const COLORS = ["#2f4fd6", "#c2410c"] as const;
type Key = "loss" | "valLoss" | "accuracy" | "valAccuracy";

function Overlay({
  title,
  data,
  train,
  val,
  names,
}: {
  title: string;
  data: Array<Record<string, number>>;
  train: Key;
  val: Key;
  names: [string, string];
}) {
  const keys = (["a", "b"] as const).flatMap((tag) => [`${tag}_${train}`, `${tag}_${val}`]);
  const axis = axisFor(
    data.flatMap((row) => keys.map((k) => row[k])),
    train === "accuracy" ? { bounds: [0, 1] } : {},
  );
  return (
    <Figure
      title={title}
      description={`${names[0]} and ${names[1]}, training and validation`}
      data={{
        columns: ["epoch", ...keys.map((k, i) => `${names[i < 2 ? 0 : 1]} ${k.endsWith(train) ? "training" : "validation"}`)],
        rows: data.map((row) => [row.epoch, ...keys.map((k) => row[k])]),
      }}
    >
      <ResponsiveContainer width="100%" height={220}>
        <LineChart accessibilityLayer={false} data={data} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e3e5ea" />
          <XAxis dataKey="epoch" allowDecimals={false} />
          <YAxis width={60} domain={axis.domain} ticks={axis.ticks} tickFormatter={axis.format} allowDataOverflow />
          <Tooltip formatter={(v) => (typeof v === "number" ? v.toFixed(4) : String(v))} />
          <Legend />
          {(["a", "b"] as const).flatMap((tag, i) => [
            <Line
              key={`${tag}-t`}
              dataKey={`${tag}_${train}`}
              name={`${names[i] ?? tag} training`}
              stroke={COLORS[i]}
              strokeWidth={2}
              dot={{ r: 2 }}
              isAnimationActive={false}
              connectNulls
            />,
            <Line
              key={`${tag}-v`}
              dataKey={`${tag}_${val}`}
              name={`${names[i] ?? tag} validation`}
              stroke={COLORS[i]}
              strokeWidth={2}
              strokeDasharray="5 3"
              dot={{ r: 2 }}
              isAnimationActive={false}
              connectNulls
            />,
          ])}
        </LineChart>
      </ResponsiveContainer>
    </Figure>
  );
}

/** Overlays the loss and accuracy curves of two graded submissions. */
export function CurveComparison({ ids }: { ids: [string, string] }) {
  const trpc = useTRPC();
  const query = useQuery(trpc.submission.compare.queryOptions({ submissionIds: ids }));
  if (query.isPending) return <p className="muted">Loading both submissions…</p>;
  if (query.isError)
    return (
      <p className="error-box" role="alert">
        {query.error.message}
      </p>
    );
  const [a, b] = query.data.submissions;
  if (!a || !b) return null;
  const names: [string, string] = [`A (${formatDate(a.createdAt)})`, `B (${formatDate(b.createdAt)})`];
  if (a.history.length === 0 || b.history.length === 0) {
    return <p className="muted">Both submissions need learning curves; pick two graded training submissions.</p>;
  }
  const data = mergeHistories([a.history, b.history]);
  const hasAccuracy = [...a.history, ...b.history].some((h) => h.accuracy !== undefined || h.valAccuracy !== undefined);
  return (
    <div className="charts" data-testid="curve-comparison" aria-label={`Learning curves of ${names[0]} and ${names[1]}`}>
      <Overlay title="Loss" data={data} train="loss" val="valLoss" names={names} />
      {hasAccuracy && <Overlay title="Accuracy" data={data} train="accuracy" val="valAccuracy" names={names} />}
    </div>
  );
}
