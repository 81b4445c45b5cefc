import type { ReactNode } from "react";
import { Line } from "recharts";
import { TableScroll } from "../table-scroll";

export const COLORS = { train: "#2f4fd6", val: "#c2410c", grid: "#e3e5ea", muted: "#555a64", accent2: "#13703a" } as const;

/** The numbers behind a chart, for the "Show data as table" alternative. */
export interface FigureData {
  columns: string[];
  rows: ReadonlyArray<ReadonlyArray<string | number | null | undefined>>;
}

const cell = (v: string | number | null | undefined) =>
  v === null || v === undefined ? "—" : typeof v === "number" ? String(Number(v.toPrecision(4))) : v;

/**
 * A chart as one keyboard stop: the figure is focusable and named (the SVG inside is not — charts
 * pass `accessibilityLayer={false}`, or recharts makes every surface a tab stop), with its numbers
 * one click away as a table (required: every chart has its data table alternative).
 */
export function Figure({
  title,
  description,
  data,
  children,
}: {
  title: string;
  description?: string;
  data: FigureData;
  children: ReactNode;
}) {
  return (
    <figure className="chart" style={{ margin: 0 }} tabIndex={0} aria-label={description ? `${title}: ${description}` : `Chart: ${title}`}>
      <figcaption className="muted" style={{ fontWeight: 600 }}>
        {title}
      </figcaption>
      {children}
      {data.rows.length > 0 && (
        <details className="chart-data">
          <summary>Show data as table</summary>
          <TableScroll label={`${title}: data`}>
            <table>
              <caption className="visually-hidden">{title}</caption>
              <thead>
                <tr>
                  {data.columns.map((c) => (
                    <th scope="col" key={c}>
                      {c}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {data.rows.map((row, i) => (
                  <tr key={i}>
                    {row.map((v, j) => (
                      <td key={j} className="num">
                        {cell(v)}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        </details>
      )}
    </figure>
  );
}

/** 0.001, 3e-5, 2.31: numbers as the experiments' messages write them. */
export function short(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return "—";
  if (x !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e4)) return Number(x.toPrecision(2)).toExponential();
  return String(Number(x.toPrecision(3)));
}

export const tooltipNumber = (v: unknown) => (typeof v === "number" ? short(v) : String(v));

/**
 * The training line and (when given) the dashed validation line of an epoch chart, styled alike
 * wherever curves are drawn. Returned as elements, not a component: recharts finds its lines among
 * the chart's direct children.
 */
export function trainValLines({ train, val, dot }: { train: string; val?: string | undefined; dot: false | { r: number } }): ReactNode[] {
  const common = { type: "monotone", strokeWidth: 2, dot, isAnimationActive: false, connectNulls: true } as const;
  return [
    <Line key="training" {...common} dataKey={train} name="training" stroke={COLORS.train} />,
    ...(val !== undefined
      ? [<Line key="validation" {...common} dataKey={val} name="validation" stroke={COLORS.val} strokeDasharray="5 3" />]
      : []),
  ];
}
