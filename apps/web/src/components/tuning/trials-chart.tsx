"use client";

import type { Hyperparameter, TuningResult } from "@stepwise/exercises/tuning";
import { useId, useState } from "react";
import { COLORS, short } from "~/components/experiments/figure";
import { COLUMN, describeTrial, LABEL, metricText, selectionName } from "./format";

const W = 560;
const H = 260;
const M = { left: 60, right: 20, top: 14, bottom: 44 };

type Scale = { at: (v: number) => number; ticks: number[] };

/** A linear or log10 axis over the values, padded so no point sits on the frame. */
function scale(values: number[], log: boolean, from: number, to: number, ticks: "values" | "nice"): Scale {
  const f = log ? Math.log10 : (v: number) => v;
  const fs = values.map(f);
  let lo = Math.min(...fs);
  let hi = Math.max(...fs);
  const span = hi - lo || (log ? 1 : Math.abs(hi) || 1);
  lo -= span * 0.08;
  hi += span * 0.08;
  const at = (v: number) => from + ((f(v) - lo) / (hi - lo)) * (to - from);
  if (ticks === "values") return { at, ticks: [...new Set(values)].sort((a, b) => a - b) };
  // Round ticks (1, 2 or 5 × 10^k apart) inside the padded range.
  const raw = (hi - lo) / 5;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * power >= raw) ?? 10) * power;
  const first = Math.ceil(lo / step) * step;
  return {
    at,
    ticks: Array.from({ length: Math.floor((hi - first) / step + 1e-9) + 1 }, (_, i) => Number((first + step * i).toPrecision(6))),
  };
}

/**
 * Every scored trial as a point: its validation metric against one hyperparameter the search varied
 * (a log axis for the learning rate), the selected trial ringed. An SVG with a text summary; the
 * table above holds every number, so it is the chart's accessible equivalent.
 */
export function TrialsChart({ result }: { result: TuningResult }) {
  const dims = (Object.keys(result.search.space) as Hyperparameter[]).filter((k) => result.trials.some((t) => t.values[k] !== undefined));
  const [axis, setAxis] = useState<Hyperparameter | undefined>(dims.includes("learningRate") ? "learningRate" : dims[0]);
  const selectId = useId();
  const titleId = useId();
  const descId = useId();
  if (!axis) return null;
  const points = result.trials.flatMap((t) => {
    const x = t.values[axis];
    return x !== undefined && t.validation !== null && Number.isFinite(t.validation) ? [{ trial: t, x, y: t.validation }] : [];
  });
  const unscored = result.trials.length - points.length;
  const log = axis === "learningRate";
  const metric = selectionName(result.metric);
  const selected = points.find((p) => p.trial.index === result.selected);
  const title = `${metric[0]?.toUpperCase()}${metric.slice(1)} against ${COLUMN[axis]}`;
  const description =
    `${points.length} scored trial${points.length === 1 ? "" : "s"}` +
    (selected
      ? `; the selected trial ${selected.trial.index} reached ${metricText(selected.y, result.metric)} at ${COLUMN[axis]} ${selected.x}`
      : "") +
    (unscored ? `; ${unscored} trial${unscored === 1 ? "" : "s"} without a validation score not shown` : "") +
    ". The table lists every trial.";
  const x = points.length
    ? scale(
        points.map((p) => p.x),
        log,
        M.left,
        W - M.right,
        "values",
      )
    : null;
  const y = points.length
    ? scale(
        points.map((p) => p.y),
        false,
        H - M.bottom,
        M.top,
        "nice",
      )
    : null;
  return (
    <div className="stack-tight" data-testid="tuning-chart">
      {dims.length > 1 && (
        <label htmlFor={selectId} className="small" style={{ display: "flex", gap: "0.4rem", alignItems: "center" }}>
          Plot against
          <select id={selectId} value={axis} onChange={(e) => setAxis(dims.find((d) => d === e.target.value) ?? axis)}>
            {dims.map((d) => (
              <option key={d} value={d}>
                {LABEL[d]}
              </option>
            ))}
          </select>
        </label>
      )}
      <figure className="stack-tight" style={{ margin: 0 }}>
        <figcaption style={{ fontWeight: 600 }} id={titleId}>
          {title}
        </figcaption>
        <p className="muted small" id={descId} style={{ margin: 0 }}>
          {description}
        </p>
        {x && y && (
          <svg
            viewBox={`0 0 ${W} ${H}`}
            width="100%"
            style={{ maxWidth: `${W}px`, height: "auto" }}
            role="img"
            aria-labelledby={titleId}
            aria-describedby={descId}
          >
            <rect x={M.left} y={M.top} width={W - M.left - M.right} height={H - M.top - M.bottom} fill="none" stroke={COLORS.grid} />
            {y.ticks.map((t) => (
              <g key={`y${t}`}>
                <line x1={M.left} x2={W - M.right} y1={y.at(t)} y2={y.at(t)} stroke={COLORS.grid} strokeDasharray="3 3" />
                <text x={M.left - 6} y={y.at(t) + 4} textAnchor="end" fontSize={11} fill={COLORS.muted}>
                  {metricText(t, result.metric)}
                </text>
              </g>
            ))}
            {x.ticks.map((t) => (
              <g key={`x${t}`}>
                <line x1={x.at(t)} x2={x.at(t)} y1={H - M.bottom} y2={H - M.bottom + 4} stroke={COLORS.muted} />
                <text x={x.at(t)} y={H - M.bottom + 17} textAnchor="middle" fontSize={11} fill={COLORS.muted}>
                  {short(t)}
                </text>
              </g>
            ))}
            <text x={(M.left + W - M.right) / 2} y={H - 6} textAnchor="middle" fontSize={12} fill={COLORS.muted}>
              {COLUMN[axis]}
              {log ? " (log scale)" : ""}
            </text>
            <text
              x={14}
              y={(M.top + H - M.bottom) / 2}
              textAnchor="middle"
              fontSize={12}
              fill={COLORS.muted}
              transform={`rotate(-90 14 ${(M.top + H - M.bottom) / 2})`}
            >
              {metric}
            </text>
            {points.map(({ trial, x: vx, y: vy }) => {
              const isSelected = trial.index === result.selected;
              return (
                <g key={trial.index} data-testid={isSelected ? "tuning-point-selected" : "tuning-point"}>
                  <circle
                    cx={x.at(vx)}
                    cy={y.at(vy)}
                    r={isSelected ? 7 : 5}
                    fill={isSelected ? COLORS.accent2 : COLORS.train}
                    fillOpacity={isSelected ? 1 : 0.75}
                  >
                    <title>{`Trial ${trial.index}${isSelected ? " (selected)" : ""}: ${describeTrial(trial.values)}; ${metric} ${metricText(vy, result.metric)}`}</title>
                  </circle>
                  {isSelected && <circle cx={x.at(vx)} cy={y.at(vy)} r={11} fill="none" stroke={COLORS.accent2} strokeWidth={2} />}
                </g>
              );
            })}
          </svg>
        )}
      </figure>
    </div>
  );
}
