import type { SelectionFlag } from "@stepwise/db";
import { OUTCOME_LABEL } from "../../../../lib/format";
import type { CellStatus, GradebookQuery } from "~/server/services/gradebook";

export type SearchParams = Record<string, string | string[] | undefined>;

export const CELL_STATUS_LABEL: Record<CellStatus, string> = {
  ...OUTCOME_LABEL,
  error: "Grader error",
  pending: "Pending",
  not_attempted: "Not attempted",
  cancelled: "Cancelled",
};

export const STATUS_FILTERS = Object.keys(CELL_STATUS_LABEL) as CellStatus[];

const metric = (x: number | null) => (x === null ? "—" : String(Number(x.toPrecision(4))));

/**
 * The evidence of a step-7 configuration chosen on its test score, in one line: the earlier
 * configuration (seen on test) was at least as good on validation as the one submitted after it.
 */
export function selectionEvidence(flag: SelectionFlag): string {
  const val =
    flag.validationMetricName === "kfoldMean"
      ? "K-fold validation"
      : flag.higherIsBetter
        ? "best validation accuracy"
        : "best validation loss";
  const test = flag.higherIsBetter ? "test accuracy" : "test MAE";
  return (
    `Chosen after seeing a test score: an earlier configuration had ${val} ${metric(flag.earlier.validationMetric)} (${test} ${metric(flag.earlier.testMetric)}); ` +
    `this one ${val} ${metric(flag.current.validationMetric)} (${test} ${metric(flag.current.testMetric)}) — no better on validation.`
  );
}

type PageQuery = Partial<Pick<GradebookQuery, "search" | "assignmentId" | "status" | "late" | "identical" | "sort" | "dir">>;

function one(value: string | string[] | undefined): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return v === undefined || v === "" ? undefined : v;
}

/**
 * The URL's query as the procedure's input. Unknown values are dropped rather than turned into an
 * error page: a hand-edited or outdated link still shows the gradebook.
 */
export function gradebookInput(params: SearchParams): PageQuery {
  const status = one(params.status);
  const late = one(params.late);
  const identical = one(params.identical);
  const sort = one(params.sort);
  const dir = one(params.dir);
  const search = one(params.search)?.trim().slice(0, 200);
  const assignmentId = one(params.assignment)?.slice(0, 100);
  return {
    ...(search ? { search } : {}),
    ...(assignmentId ? { assignmentId } : {}),
    ...(status !== undefined && (STATUS_FILTERS as string[]).includes(status) ? { status: status as CellStatus } : {}),
    ...(late === "yes" ? { late: true } : late === "no" ? { late: false } : {}),
    ...(identical === "yes" ? { identical: true } : {}),
    ...(sort !== undefined && (["name", "email", "total"].includes(sort) || /^assignment:.{1,100}$/.test(sort)) ? { sort } : {}),
    ...(dir === "asc" || dir === "desc" ? { dir } : {}),
  };
}

/** A gradebook URL with this query (the inverse of gradebookInput). */
export function gradebookHref(base: string, query: PageQuery): string {
  const params = new URLSearchParams();
  if (query.search) params.set("search", query.search);
  if (query.assignmentId) params.set("assignment", query.assignmentId);
  if (query.status) params.set("status", query.status);
  if (query.late !== undefined) params.set("late", query.late ? "yes" : "no");
  if (query.identical) params.set("identical", "yes");
  if (query.sort) params.set("sort", query.sort);
  if (query.dir) params.set("dir", query.dir);
  const text = params.toString();
  return text ? `${base}?${text}` : base;
}
