import type { GradeNotice } from "~/server/services/grade-notice";

/** "0.1135", "0.96": up to four decimals, no trailing zeros. */
export function formatThreshold(value: number): string {
  return String(Number(value.toFixed(4)));
}

/** "passed → failed (baseline changed 0.1135 → 0.96)"; the date is the page's to format. */
export function describeChange(notice: Pick<GradeNotice, "from" | "to" | "baseline">): string {
  const statuses = notice.from !== null && notice.to !== null ? `${notice.from} → ${notice.to}` : "the result was updated";
  const baseline = notice.baseline
    ? ` (baseline changed ${formatThreshold(notice.baseline.from)} → ${formatThreshold(notice.baseline.to)})`
    : "";
  return `${statuses.replace(/_/g, " ")}${baseline}`;
}
