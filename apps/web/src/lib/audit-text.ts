import { GradeSnapshot, type AuditEvent } from "@stepwise/db";
import { z } from "zod";
import { checkLabel } from "./check-labels";
import { formatDate } from "./format";
import { formatThreshold } from "./grade-change-text";

const Fields = z.record(z.string(), z.unknown());
const Counts = z.object({ submissions: z.number(), applied: z.number(), changed: z.number() }).partial();

const FIELD_LABELS: Record<string, string> = {
  title: "title",
  deadline: "deadline",
  attemptsAllowed: "attempts allowed",
  position: "position",
  "overrides.baseline": "baseline",
  "overrides.target": "target",
  "overrides.visibility": "check visibility",
  "overrides.budgets": "budgets",
  "overrides.seed": "seed",
  "overrides.seeds": "seeds",
  "overrides.latePenalty": "late penalty",
  "overrides.dataset": "dataset",
  "overrides.hints": "hints",
  "overrides.experiments": "experiments",
  "overrides.toolbox": "toolbox",
};

function value(key: string, v: unknown): string {
  if (v === null || v === undefined) return key === "deadline" ? "none" : "default";
  if (key === "deadline" && typeof v === "number") return formatDate(v);
  if (typeof v === "number") return formatThreshold(v);
  if (typeof v === "string") return v;
  if (key === "overrides.visibility" && typeof v === "object") {
    return Object.entries(v as Record<string, unknown>)
      .map(([id, shown]) => `${checkLabel(id)} ${String(shown).replace(/_/g, " ")}`)
      .join(", ");
  }
  return JSON.stringify(v);
}

/** "baseline 0.1135 → 0.96; deadline none → 12 Dec 2026, 17:00 UTC" */
export function describeFields(before: unknown, after: unknown): string {
  const from = Fields.safeParse(before ?? {});
  const to = Fields.safeParse(after ?? {});
  if (!from.success || !to.success) return "";
  return Object.keys(to.data)
    .map((key) => `${FIELD_LABELS[key] ?? key.replace(/^overrides\./, "")} ${value(key, from.data[key])} → ${value(key, to.data[key])}`)
    .join("; ");
}

function grade(snapshot: GradeSnapshot): string {
  return `${snapshot.status.replace(/_/g, " ")} ${formatThreshold(snapshot.score)}`;
}

/** One line of the assignment's audit log, without who and when (the table has columns for those). */
export function describeEvent(event: AuditEvent): string {
  const subject = event.subject ? `${event.subject.name}${event.subject.email ? ` (${event.subject.email})` : ""}` : "a student";
  switch (event.action) {
    case "assignment.created":
      return "Created the assignment";
    case "assignment.updated":
      return `Changed ${describeFields(event.before, event.after)}`;
    case "extension.set":
      return `Extension for ${subject}: ${describeFields(event.before, event.after)}`;
    case "extension.cleared":
      return `Removed the extension of ${subject}`;
    case "regrade.started":
      return `Started a regrade of ${Counts.safeParse(event.after).data?.submissions ?? "the"} submissions`;
    case "regrade.applied": {
      const counts = Counts.safeParse(event.after).data ?? {};
      return `Applied a regrade: ${counts.applied ?? 0} regraded, ${counts.changed ?? 0} grades changed`;
    }
    case "regrade.discarded":
      return "Discarded a regrade";
    case "grade.changed": {
      const before = GradeSnapshot.safeParse(event.before);
      const after = GradeSnapshot.safeParse(event.after);
      if (!before.success || !after.success) return `Grade of ${subject} changed`;
      const baseline =
        before.data.baseline !== after.data.baseline && after.data.baseline !== null
          ? ` (baseline ${value("b", before.data.baseline)} → ${formatThreshold(after.data.baseline)})`
          : "";
      return `Grade of ${subject}: ${grade(before.data)} → ${grade(after.data)}${baseline}`;
    }
  }
}
