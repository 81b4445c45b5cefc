import type { ReactNode } from "react";

export const COLORS = { train: "#2f4fd6", val: "#c2410c", grid: "#e3e5ea", muted: "#555a64", accent2: "#13703a" } as const;

/** A chart with its caption; the caption and the result's sentence carry the meaning for screen readers. */
export function Figure({ title, description, children }: { title: string; description?: string; children: ReactNode }) {
  return (
    <figure className="chart" style={{ margin: 0 }} aria-label={description ? `${title}: ${description}` : title}>
      <figcaption className="muted" style={{ fontWeight: 600 }}>
        {title}
      </figcaption>
      {children}
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
