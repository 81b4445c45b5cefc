"use client";

import { columnVisibilityFeature, createColumnHelper, tableFeatures, useTable, type ColumnVisibilityState } from "@tanstack/react-table";
import { useVirtualizer } from "@tanstack/react-virtual";
import Link from "next/link";
import { useCallback, useMemo, useRef, useState, type KeyboardEvent } from "react";
import { type GridCell, type GridColumn, type GridRow, cellBadges, cellLabel, cellTip, STATUS_ICON } from "./grid-cell";
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
const OVERSCAN = 10;
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
  const tableRows = table.getRowModel().rows;
  const virtualizer = useVirtualizer({
    count: tableRows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_ESTIMATE_PX,
    overscan: OVERSCAN,
    getItemKey: (index) => tableRows[index]?.id ?? index,
    // The server renders the first screen before any measurement.
    initialRect: { width: 1200, height: 800 },
  });
  const items = virtualizer.getVirtualItems();
  const padTop = items[0]?.start ?? 0;
  const padBottom = virtualizer.getTotalSize() - (items.at(-1)?.end ?? 0);

  // Roving focus over the score cells of the visible step columns.
  // In the order the grid shows them: grouped by project.
  const navigable = useMemo(() => projects.filter((p) => !collapsed.has(p.key)).flatMap((p) => p.columns.map((c) => c.id)), [projects, collapsed]);
  const [active, setActive] = useState({ row: 0, col: 0 });
  const [tip, setTip] = useState<{ row: number; col: string; x: number; y: number } | null>(null);
  const focusCell = useCallback(
    (row: number, col: number) => {
      const id = navigable[col];
      if (id === undefined || row < 0 || row >= tableRows.length) return;
      setActive({ row, col });
      virtualizer.scrollToIndex(row, { align: "auto" });
      // The row may render only after the scroll: try again on the next frames.
      const attempt = (left: number) => {
        const el = scrollRef.current?.querySelector<HTMLElement>(`[data-cell="${row}:${id}"]`);
        if (el) el.focus({ preventScroll: false });
        else if (left > 0) requestAnimationFrame(() => attempt(left - 1));
      };
      attempt(5);
    },
    [navigable, tableRows.length, virtualizer],
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
      End: event.ctrlKey ? [tableRows.length - 1, last] : [row, last],
      PageUp: [Math.max(0, row - PAGE_ROWS), col],
      PageDown: [Math.min(tableRows.length - 1, row + PAGE_ROWS), col],
    };
    const move = moves[event.key];
    if (!move) return;
    event.preventDefault();
    focusCell(Math.max(0, Math.min(tableRows.length - 1, move[0])), Math.max(0, Math.min(last, move[1])));
  };
  const showTip = (row: number, col: string, el: HTMLElement) => {
    const rect = el.getBoundingClientRect();
    setTip({ row, col, x: Math.max(8, Math.min(rect.left, window.innerWidth - 330)), y: rect.bottom + 6 });
  };

  const projectPoints = (row: GridRow, key: string) => {
    const p = projects.find((x) => x.key === key);
    const cells = (p?.columns ?? []).map((c) => row.cells[columnIndex.get(c.id) ?? -1]);
    const points = cells.reduce((sum, c) => sum + (c?.score ?? 0), 0);
    const passed = cells.filter((c) => c?.status === "passed").length;
    return `${Math.round(points * 100) / 100} / ${100 * cells.length} · ${passed} ✓`;
  };

  const tipCell: GridCell | undefined = tip ? tableRows[tip.row]?.original.cells[columnIndex.get(tip.col) ?? -1] : undefined;
  const tipColumn = tip ? columns[columnIndex.get(tip.col) ?? -1] : undefined;
  const leafCount = table.getVisibleLeafColumns().length;

  return (
    <div className="gb-wrap">
      {/* Focusable itself, so the scroll box is reachable even when the active cell's row is scrolled out of the DOM. */}
      <div className="gb-scroll" ref={scrollRef} data-testid="gradebook-scroll" onScroll={() => setTip(null)} tabIndex={0} role="region" aria-label="Gradebook grid">
        <table className="gb" data-testid="gradebook" role="grid" aria-rowcount={rows.length + 2} aria-colcount={leafCount} onKeyDown={onKeyDown}>
          <caption className="visually-hidden">
            Score per student and assignment, out of 100: the best attempt, or for step 7 the latest test evaluation. Arrow keys move between
            cells.
          </caption>
          <thead>
            {table.getHeaderGroups().map((group, level) => (
              <tr key={group.id} aria-rowindex={level + 1}>
                {group.headers.map((header) => {
                  if (header.rowSpan === 0) return null;
                  const id = header.column.id;
                  const span = header.rowSpan > 1 ? header.rowSpan : undefined;
                  if (id === "name")
                    return (
                      <th key={header.id} scope="col" rowSpan={span} className="gb-name">
                        <Link href={sort.name.href} aria-label={sort.name.label}>
                          Student{sort.name.mark}
                        </Link>{" "}
                        <span className="small">
                          (
                          <Link href={sort.email.href} aria-label={sort.email.label}>
                            e-mail{sort.email.mark}
                          </Link>
                          )
                        </span>
                      </th>
                    );
                  if (id === "total")
                    return (
                      <th key={header.id} scope="col" rowSpan={span} className="gb-total">
                        <Link href={sort.total.href} aria-label={sort.total.label}>
                          Total{sort.total.mark}
                        </Link>
                        <span className="gb-due" data-testid="max-total">
                          of {maxTotal}
                        </span>
                      </th>
                    );
                  if (id.startsWith("group:")) {
                    const key = id.slice("group:".length);
                    const project = projects.find((p) => p.key === key);
                    const shut = collapsed.has(key);
                    return (
                      <th key={header.id} scope="colgroup" colSpan={header.colSpan} className="gb-project">
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
                  if (id.startsWith("project:"))
                    return (
                      <th key={header.id} scope="col" className="gb-col">
                        Points
                      </th>
                    );
                  const column = columns[columnIndex.get(id) ?? -1];
                  if (!column) return <th key={header.id} />;
                  return (
                    <th key={header.id} scope="col" className="gb-col" title={column.title}>
                      <Link href={column.sort.href} aria-label={column.sort.label}>
                        {column.short}
                        {column.sort.mark}
                      </Link>
                      <span className="gb-due">{column.due}</span>
                    </th>
                  );
                })}
              </tr>
            ))}
          </thead>
          <tbody>
            {padTop > 0 && (
              <tr className="gb-spacer" aria-hidden="true">
                <td colSpan={leafCount} style={{ height: padTop }} />
              </tr>
            )}
            {items.map((item) => {
              const row = tableRows[item.index];
              if (!row) return null;
              const student = row.original;
              return (
                <tr key={row.id} data-index={item.index} ref={virtualizer.measureElement} data-testid="gradebook-row" aria-rowindex={item.index + 3}>
                  {row.getVisibleCells().map((cell) => {
                    const id = cell.column.id;
                    if (id === "name")
                      return (
                        <th key={cell.id} scope="row" className="gb-name" data-testid="row-name">
                          {student.name}
                          <div className="small muted">{student.email}</div>
                        </th>
                      );
                    if (id === "total")
                      return (
                        <td key={cell.id} className="gb-total" data-testid="row-total">
                          {student.total}
                        </td>
                      );
                    if (id.startsWith("project:"))
                      return (
                        <td key={cell.id} className="gb-cell small">
                          {projectPoints(student, id.slice("project:".length))}
                        </td>
                      );
                    const index = columnIndex.get(id) ?? -1;
                    const column = columns[index];
                    const value = student.cells[index];
                    if (!column || !value) return <td key={cell.id} />;
                    const col = navigable.indexOf(id);
                    const isActive = active.row === item.index && active.col === col;
                    return (
                      <td key={cell.id} className="gb-cell" data-testid={`cell-${id}`}>
                        <Link
                          href={`/teach/${courseId}/gradebook/${id}/${student.id}`}
                          data-cell={`${item.index}:${id}`}
                          tabIndex={isActive ? 0 : -1}
                          onFocus={(e) => {
                            setActive({ row: item.index, col });
                            showTip(item.index, id, e.currentTarget);
                          }}
                          onBlur={() => setTip(null)}
                          onMouseEnter={(e) => showTip(item.index, id, e.currentTarget)}
                          onMouseLeave={() => setTip(null)}
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
                            {value.statusLabel}
                          </span>
                          {/* The name is the visible text plus the details, so what is seen is what a screen reader says first. */}
                          <span className="visually-hidden">, {cellLabel(student.name, column.title, value)}</span>
                        </Link>
                      </td>
                    );
                  })}
                </tr>
              );
            })}
            {padBottom > 0 && (
              <tr className="gb-spacer" aria-hidden="true">
                <td colSpan={leafCount} style={{ height: padBottom }} />
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {tip && tipCell && tipColumn && (
        <div className="gb-tip" aria-hidden="true" style={{ left: tip.x, top: tip.y }} data-testid="cell-tip">
          <strong>{tableRows[tip.row]?.original.name}</strong> · {tipColumn.title}
          {cellTip(tipCell).map((line) => (
            <div key={line}>{line}</div>
          ))}
        </div>
      )}
    </div>
  );
}
