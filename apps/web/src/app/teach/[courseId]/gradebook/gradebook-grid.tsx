"use client";

import { columnVisibilityFeature, createColumnHelper, tableFeatures, useTable, type ColumnVisibilityState } from "@tanstack/react-table";
import { useVirtualizer } from "@tanstack/react-virtual";
import Link from "next/link";
import { memo, useCallback, useMemo, useRef, useState, type KeyboardEvent } from "react";
import { type GridColumn, type GridRow, cellBadges, cellLabel, cellStatus, cellTip, STATUS_ICON, unpackCell } from "./grid-cell";
import { CELL_STATUS_LABEL } from "./query";
import "~/components/instructor-tables.css";

export interface SortLink {
  href: string;
  label: string;
  /** " ▲", " ▼" or "" */
  mark: string;
}

export interface GradebookGridProps {
  courseId: string;
  columns: GridColumn[];
  rows: GridRow[];
  maxTotal: number;
  sort: { name: SortLink; email: SortLink; total: SortLink };
}

const features = tableFeatures({ columnVisibilityFeature });
const helper = createColumnHelper<typeof features, GridRow>();
/** A row is two lines (name, e-mail); measured after render, this only places rows before that. */
const ROW_ESTIMATE_PX = 45;
/** Rows rendered beyond the visible ones, so fast scrolling and arrow keys rarely meet a blank. */
const OVERSCAN = 6;
/** A step column (min-width 4.2rem plus padding); measured after render. */
const COLUMN_ESTIMATE_PX = 84;
const COLUMN_OVERSCAN = 2;
/** The sticky name column's width (.gb-name: min 11rem, max 14rem, fixed in the stylesheet as 13rem). */
const NAME_COLUMN_PX = 208;
const INITIAL_RECT = { width: 1200, height: 800 };
const PAGE_ROWS = 10;

const collapsedId = (project: string) => `project:${project}`;

/**
 * The gradebook's grid: sticky header and name column, columns grouped by project (collapsible to
 * one column of the project's points), compact cells with their details on hover or focus, rows
 * virtualized (only those near the viewport are in the DOM) and one tab stop for the whole grid
 * (arrow keys, Home/End, Page Up/Down move between cells). Sorting and filtering stay on the server.
 */
export function GradebookGrid({ courseId, columns, rows, maxTotal, sort }: GradebookGridProps) {
  const projects = useMemo(() => {
    const byKey = new Map<string, { key: string; label: string; columns: GridColumn[] }>();
    for (const c of columns) {
      const p = byKey.get(c.project) ?? { key: c.project, label: c.projectLabel, columns: [] };
      p.columns.push(c);
      byKey.set(c.project, p);
    }
    return [...byKey.values()];
  }, [columns]);
  const columnIndex = useMemo(() => new Map(columns.map((c, i) => [c.id, i])), [columns]);

  const defs = useMemo(
    () =>
      helper.columns([
        helper.display({ id: "name", header: "Student" }),
        ...projects.map((p) =>
          helper.group({
            id: `group:${p.key}`,
            header: p.label,
            columns: [
              ...p.columns.map((c) => helper.display({ id: c.id, header: c.short })),
              helper.display({ id: collapsedId(p.key), header: "Points" }),
            ],
          }),
        ),
        helper.display({ id: "total", header: "Total" }),
      ]),
    [projects],
  );

  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const columnVisibility = useMemo<ColumnVisibilityState>(() => {
    const state: ColumnVisibilityState = {};
    for (const p of projects) {
      const shut = collapsed.has(p.key);
      state[collapsedId(p.key)] = shut;
      for (const c of p.columns) state[c.id] = !shut;
    }
    return state;
  }, [projects, collapsed]);
  const table = useTable({ features, columns: defs, data: rows, getRowId: (row) => row.id, state: { columnVisibility } });
  const toggle = (key: string) =>
    setCollapsed((current) => {
      const next = new Set(current);
      if (!next.delete(key)) next.add(key);
      return next;
    });

  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_ESTIMATE_PX,
    overscan: OVERSCAN,
    getItemKey: (index) => rows[index]?.id ?? index,
    // The server renders the first screen before any measurement.
    initialRect: INITIAL_RECT,
  });
  const items = virtualizer.getVirtualItems();
  const padTop = items[0]?.start ?? 0;
  const padBottom = virtualizer.getTotalSize() - (items.at(-1)?.end ?? 0);

  // Columns are virtualized too: of 28 step columns a screen shows about a dozen, and every row
  // rendered would otherwise carry all of them. The name and total columns are always there.
  const leafIds = table.getVisibleLeafColumns().map((c) => c.id);
  // Keyed by the ids, not the array: TanStack returns a new array on every render.
  const leafKey = leafIds.join("\u0000");
  const middle = useMemo(() => leafKey.split("\u0000").filter((id) => id !== "name" && id !== "total"), [leafKey]);
  const columnVirtualizer = useVirtualizer({
    horizontal: true,
    count: middle.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => COLUMN_ESTIMATE_PX,
    overscan: COLUMN_OVERSCAN,
    getItemKey: (index) => middle[index] ?? index,
    // Past the sticky name column, whose width the virtualizer does not know about.
    scrollMargin: NAME_COLUMN_PX,
    initialRect: INITIAL_RECT,
  });
  const columnItems = columnVirtualizer.getVirtualItems();
  const from = columnItems[0]?.index ?? 0;
  const to = (columnItems.at(-1)?.index ?? -1) + 1;
  const padLeft = (columnItems[0]?.start ?? NAME_COLUMN_PX) - NAME_COLUMN_PX;
  const padRight = columnVirtualizer.getTotalSize() - ((columnItems.at(-1)?.end ?? NAME_COLUMN_PX) - NAME_COLUMN_PX);
  const shownIds = middle.slice(from, to);

  // Roving focus over the score cells of the visible step columns.
  // In the order the grid shows them: grouped by project.
  const navigable = useMemo(
    () => projects.filter((p) => !collapsed.has(p.key)).flatMap((p) => p.columns.map((c) => c.id)),
    [projects, collapsed],
  );
  const navIndex = useMemo(() => new Map(navigable.map((id, i) => [id, i])), [navigable]);
  const [active, setActive] = useState({ row: 0, col: 0 });
  const [tip, setTip] = useState<{ row: number; col: string; x: number; y: number } | null>(null);
  const focusCell = useCallback(
    (row: number, col: number) => {
      const id = navigable[col];
      if (id === undefined || row < 0 || row >= rows.length) return;
      setActive({ row, col });
      virtualizer.scrollToIndex(row, { align: "auto" });
      const at = middle.indexOf(id);
      if (at >= 0) columnVirtualizer.scrollToIndex(at, { align: "auto" });
      // The row may render only after the scroll: try again on the next frames.
      const attempt = (left: number) => {
        const el = scrollRef.current?.querySelector<HTMLElement>(`[data-cell="${row}:${id}"]`);
        if (el) el.focus({ preventScroll: false });
        else if (left > 0) requestAnimationFrame(() => attempt(left - 1));
      };
      attempt(5);
    },
    [navigable, rows.length, virtualizer, columnVirtualizer, middle],
  );
  const onKeyDown = (event: KeyboardEvent<HTMLTableElement>) => {
    const { row, col } = active;
    const last = navigable.length - 1;
    const moves: Record<string, [number, number] | undefined> = {
      ArrowUp: [row - 1, col],
      ArrowDown: [row + 1, col],
      ArrowLeft: [row, col - 1],
      ArrowRight: [row, col + 1],
      Home: event.ctrlKey ? [0, 0] : [row, 0],
      End: event.ctrlKey ? [rows.length - 1, last] : [row, last],
      PageUp: [Math.max(0, row - PAGE_ROWS), col],
      PageDown: [Math.min(rows.length - 1, row + PAGE_ROWS), col],
    };
    const move = moves[event.key];
    if (!move) return;
    event.preventDefault();
    focusCell(Math.max(0, Math.min(rows.length - 1, move[0])), Math.max(0, Math.min(last, move[1])));
  };
  const showTip = useCallback((row: number, col: string, el: HTMLElement) => {
    const rect = el.getBoundingClientRect();
    setTip({ row, col, x: Math.max(8, Math.min(rect.left, window.innerWidth - 330)), y: rect.bottom + 6 });
  }, []);
  const hideTip = useCallback(() => setTip(null), []);
  const onCellFocus = useCallback(
    (row: number, id: string, el: HTMLElement) => {
      setActive({ row, col: navIndex.get(id) ?? 0 });
      showTip(row, id, el);
    },
    [navIndex, showTip],
  );
  const projectCells = useMemo(
    () => new Map(projects.map((p) => [p.key, p.columns.map((c) => columnIndex.get(c.id) ?? -1)])),
    [projects, columnIndex],
  );

  const tipColumn = tip ? columns[columnIndex.get(tip.col) ?? -1] : undefined;
  const tipPacked = tip ? rows[tip.row]?.cells[columnIndex.get(tip.col) ?? -1] : undefined;
  const tipCell = tipPacked && tipColumn ? unpackCell(tipPacked, tipColumn) : undefined;
  const leafCount = leafIds.length;
  // Column positions for aria-colindex: the grid says where a cell is even when its neighbours are not rendered.
  const colIndexOf = (id: string) => leafIds.indexOf(id) + 1;
  const shownSet = new Set(shownIds);
  const context = useMemo<RowContext>(
    () => ({
      courseId,
      columns,
      columnIndex,
      projectCells,
      shownIds: middle.slice(from, to),
      padLeft,
      padRight,
      leafIds: leafKey.split("\u0000"),
      measure: virtualizer.measureElement,
      onCellFocus,
      showTip,
      hideTip,
    }),
    [
      courseId,
      columns,
      columnIndex,
      projectCells,
      middle,
      from,
      to,
      padLeft,
      padRight,
      leafKey,
      virtualizer,
      onCellFocus,
      showTip,
      hideTip,
    ],
  );
  const renderedCount = 2 + shownIds.length + (padLeft > 0 ? 1 : 0) + (padRight > 0 ? 1 : 0);
  const spacer = (key: string, width: number) =>
    width > 0 ? <th key={key} className="gb-spacer-col" aria-hidden="true" style={{ width, minWidth: width, maxWidth: width }} /> : null;

  return (
    <div className="gb-wrap">
      {/* Focusable itself, so the scroll box is reachable even when the active cell's row is scrolled out of the DOM. */}
      <div
        className="gb-scroll"
        ref={scrollRef}
        data-testid="gradebook-scroll"
        onScroll={() => setTip(null)}
        tabIndex={0}
        role="region"
        aria-label="Gradebook grid"
      >
        <table
          className="gb"
          data-testid="gradebook"
          role="grid"
          aria-rowcount={rows.length + 2}
          aria-colcount={leafCount}
          onKeyDown={onKeyDown}
        >
          <caption className="visually-hidden">
            Score per student and assignment, out of 100: the best attempt, or for step 7 the latest test evaluation. Arrow keys move
            between cells.
          </caption>
          <thead>
            {table.getHeaderGroups().map((group, level) => {
              const shown = group.headers.filter((h) => h.rowSpan !== 0);
              const head = shown.filter((h) => h.column.id === "name");
              const tail = shown.filter((h) => h.column.id === "total");
              const mid = shown.filter((h) => h.column.id !== "name" && h.column.id !== "total");
              return (
                <tr key={group.id} aria-rowindex={level + 1}>
                  {head.map((header) => (
                    <th
                      key={header.id}
                      scope="col"
                      rowSpan={header.rowSpan > 1 ? header.rowSpan : undefined}
                      className="gb-name"
                      aria-colindex={1}
                    >
                      <Link href={sort.name.href} aria-label={sort.name.label} prefetch={false}>
                        Student{sort.name.mark}
                      </Link>{" "}
                      <span className="small">
                        (
                        <Link href={sort.email.href} aria-label={sort.email.label} prefetch={false}>
                          e-mail{sort.email.mark}
                        </Link>
                        )
                      </span>
                    </th>
                  ))}
                  {spacer("pad-left", padLeft)}
                  {mid.map((header) => {
                    const id = header.column.id;
                    if (id.startsWith("group:")) {
                      const key = id.slice("group:".length);
                      const project = projects.find((p) => p.key === key);
                      const span = [...(project?.columns.map((c) => c.id) ?? []), collapsedId(key)].filter((leaf) =>
                        shownSet.has(leaf),
                      ).length;
                      if (span === 0) return null;
                      const shut = collapsed.has(key);
                      return (
                        <th key={header.id} scope="colgroup" colSpan={span} className="gb-project">
                          <button
                            type="button"
                            className="secondary"
                            aria-expanded={!shut}
                            aria-label={`${project?.label ?? key}: ${shut ? "show" : "hide"} its ${project?.columns.length ?? 0} step columns`}
                            onClick={() => toggle(key)}
                            data-testid="toggle-project"
                          >
                            {shut ? "▸" : "▾"} {project?.label ?? key}
                          </button>
                        </th>
                      );
                    }
                    if (!shownSet.has(id)) return null;
                    if (id.startsWith("project:"))
                      return (
                        <th
                          key={header.id}
                          scope="col"
                          className="gb-col"
                          aria-colindex={colIndexOf(id)}
                          data-index={middle.indexOf(id)}
                          ref={columnVirtualizer.measureElement}
                        >
                          Points
                        </th>
                      );
                    const column = columns[columnIndex.get(id) ?? -1];
                    if (!column) return <th key={header.id} />;
                    return (
                      <th
                        key={header.id}
                        scope="col"
                        className="gb-col"
                        title={column.title}
                        aria-colindex={colIndexOf(id)}
                        data-index={middle.indexOf(id)}
                        ref={columnVirtualizer.measureElement}
                      >
                        <Link href={column.sort.href} aria-label={column.sort.label} prefetch={false}>
                          {column.short}
                          {column.sort.mark}
                        </Link>
                        <span className="gb-due">{column.due}</span>
                      </th>
                    );
                  })}
                  {spacer("pad-right", padRight)}
                  {tail.map((header) => (
                    <th
                      key={header.id}
                      scope="col"
                      rowSpan={header.rowSpan > 1 ? header.rowSpan : undefined}
                      className="gb-total"
                      aria-colindex={leafCount}
                    >
                      <Link href={sort.total.href} aria-label={sort.total.label} prefetch={false}>
                        Total{sort.total.mark}
                      </Link>
                      <span className="gb-due" data-testid="max-total">
                        of {maxTotal}
                      </span>
                    </th>
                  ))}
                </tr>
              );
            })}
          </thead>
          <tbody>
            {padTop > 0 && (
              <tr className="gb-spacer" aria-hidden="true">
                <td colSpan={renderedCount} style={{ height: padTop }} />
              </tr>
            )}
            {items.map((item) => {
              const row = rows[item.index];
              if (!row) return null;
              return (
                <GridRowView
                  key={row.id}
                  row={row}
                  index={item.index}
                  activeId={active.row === item.index ? (navigable[active.col] ?? null) : null}
                  context={context}
                />
              );
            })}
            {padBottom > 0 && (
              <tr className="gb-spacer" aria-hidden="true">
                <td colSpan={renderedCount} style={{ height: padBottom }} />
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {tip && tipCell && tipColumn && (
        <div className="gb-tip" aria-hidden="true" style={{ left: tip.x, top: tip.y }} data-testid="cell-tip">
          <strong>{rows[tip.row]?.name}</strong> · {tipColumn.title}
          {cellTip(tipCell).map((line) => (
            <div key={line}>{line}</div>
          ))}
        </div>
      )}
    </div>
  );
}

/** What every row needs, unchanged while only the vertical scroll moves (so rows already rendered are not rendered again). */
interface RowContext {
  courseId: string;
  columns: GridColumn[];
  columnIndex: Map<string, number>;
  projectCells: Map<string, number[]>;
  /** The middle columns in the horizontal window. */
  shownIds: string[];
  padLeft: number;
  padRight: number;
  /** Every visible leaf column, for aria-colindex. */
  leafIds: string[];
  measure: (el: Element | null) => void;
  onCellFocus: (row: number, id: string, el: HTMLElement) => void;
  showTip: (row: number, id: string, el: HTMLElement) => void;
  hideTip: () => void;
}

function projectPoints(row: GridRow, indexes: number[]): string {
  const cells = indexes.map((i) => row.cells[i]);
  const points = cells.reduce((sum, c) => sum + (c?.[0] ?? 0), 0);
  const passed = cells.filter((c) => c !== undefined && cellStatus(c) === "passed").length;
  return `${Math.round(points * 100) / 100} / ${100 * cells.length} · ${passed} ✓`;
}

/** One student's row: memoized, since hovering a cell or moving the focus must not render every row again. */
const GridRowView = memo(function GridRowView({
  row,
  index,
  activeId,
  context,
}: {
  row: GridRow;
  index: number;
  activeId: string | null;
  context: RowContext;
}) {
  const { courseId, columns, columnIndex, projectCells, shownIds, padLeft, padRight, leafIds, measure, onCellFocus, showTip, hideTip } =
    context;
  return (
    <tr data-index={index} ref={measure} data-testid="gradebook-row" aria-rowindex={index + 3}>
      <th scope="row" className="gb-name" data-testid="row-name" aria-colindex={1}>
        {row.name}
        <div className="small muted">{row.email}</div>
      </th>
      {padLeft > 0 && <td className="gb-spacer-col" aria-hidden="true" />}
      {shownIds.map((id) => {
        const colindex = leafIds.indexOf(id) + 1;
        if (id.startsWith("project:"))
          return (
            <td key={id} className="gb-cell small" aria-colindex={colindex}>
              {projectPoints(row, projectCells.get(id.slice("project:".length)) ?? [])}
            </td>
          );
        const at = columnIndex.get(id) ?? -1;
        const column = columns[at];
        const packed = row.cells[at];
        if (!column || !packed) return <td key={id} aria-colindex={colindex} />;
        const value = unpackCell(packed, column);
        return (
          <td key={id} className="gb-cell" data-testid={`cell-${id}`} aria-colindex={colindex}>
            <Link
              href={`/teach/${courseId}/gradebook/${id}/${row.id}`}
              // Hundreds of cell links are on screen: prefetching each would ask the server for hundreds of pages.
              prefetch={false}
              data-cell={`${index}:${id}`}
              tabIndex={activeId === id ? 0 : -1}
              onFocus={(e) => onCellFocus(index, id, e.currentTarget)}
              onBlur={hideTip}
              onMouseEnter={(e) => showTip(index, id, e.currentTarget)}
              onMouseLeave={hideTip}
            >
              <strong data-testid="cell-score">{value.score === null ? "—" : value.score}</strong>
              <span className={`gb-icon ${value.status}`} aria-hidden="true">
                {STATUS_ICON[value.status]}
              </span>
              <span className="gb-badges">
                {cellBadges(value).map((b) => (
                  <span key={b.key} className={`gb-badge ${b.key}`} data-testid={b.testId} title={b.title}>
                    {b.text}
                  </span>
                ))}
              </span>
              <span className="visually-hidden" data-testid="cell-status">
                {CELL_STATUS_LABEL[value.status]}
              </span>
              {/* The name is the visible text plus the details, so what is seen is what a screen reader says first. */}
              <span className="visually-hidden">, {cellLabel(row.name, column.title, value)}</span>
            </Link>
          </td>
        );
      })}
      {padRight > 0 && <td className="gb-spacer-col" aria-hidden="true" />}
      <td className="gb-total" data-testid="row-total" aria-colindex={leafIds.length}>
        {row.total}
      </td>
    </tr>
  );
});
