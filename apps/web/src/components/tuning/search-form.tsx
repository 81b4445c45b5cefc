"use client";

import type { Hyperparameter, SearchSpace, TuningSearch } from "@stepwise/exercises/tuning";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { useTRPC } from "~/trpc/react";
import type { RouterOutputs } from "~/trpc/types";
import { DIMENSIONS, LABEL, parseList } from "./format";

type TuningList = RouterOutputs["tuning"]["list"];
type Started = RouterOutputs["tuning"]["start"];

interface Draft {
  strategy: TuningSearch["strategy"];
  /** Trials of a random search; a grid runs every combination. */
  trials: string;
  dims: Record<Hyperparameter, { on: boolean; text: string }>;
  /** Successive halving with factor 3: every trial starts on a third of a third of the epochs, the best continue. */
  halving: boolean;
}

const listText = (values: readonly number[] | undefined) => (values ?? []).join(", ");

function draftFrom(defaults: NonNullable<TuningList["defaults"]>): Draft {
  const { search, offered } = defaults;
  const on = (key: Hyperparameter) => search.space[key] !== undefined;
  const text = (key: Hyperparameter) => {
    const value = search.space[key];
    return listText(Array.isArray(value) ? value : offered[key]);
  };
  return {
    strategy: search.strategy,
    trials: String(search.trials),
    dims: Object.fromEntries(DIMENSIONS.map((k) => [k, { on: on(k), text: text(k) }])) as Draft["dims"],
    halving: search.halving !== undefined,
  };
}

/** A proposed search as the form edits it: its values become the lists, its trials and strategy the draft's. */
function draftOf(search: TuningSearch, current: Draft): Draft {
  const dims = Object.fromEntries(
    DIMENSIONS.map((k) => {
      const value = search.space[k];
      return [k, Array.isArray(value) ? { on: true, text: listText(value) } : { ...current.dims[k], on: false }];
    }),
  ) as Draft["dims"];
  return { strategy: search.strategy, trials: String(search.trials), dims, halving: search.halving !== undefined };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
const scheduleText = (schedule: readonly { trials: number; epochs: number }[]) =>
  schedule.map((r) => `${plural(r.trials, "trial")} × ${plural(r.epochs, "epoch")}`).join(", then ");

/** Why a dimension cannot be searched on this model; null when it can. */
function blocked(key: Hyperparameter, facts: NonNullable<TuningList["facts"]>): string | null {
  if (key === "dropout" && facts.dropout === null) return "your model has no Dropout layer to vary";
  if ((key === "units" || key === "layers") && facts.layers === 0) return "your model has no hidden Dense layer";
  return null;
}

const YOURS: Record<Hyperparameter, (f: NonNullable<TuningList["facts"]>) => number | null> = {
  learningRate: (f) => f.learningRate,
  units: (f) => f.units,
  layers: (f) => f.layers,
  dropout: (f) => f.dropout,
};

/** The draft as a search, with what is wrong with it field by field (the server checks it all again). */
function searchFrom(
  draft: Draft,
  maxTrials: number,
): { search: TuningSearch | null; errors: Partial<Record<Hyperparameter | "trials" | "space", string>>; size: number } {
  const errors: Partial<Record<Hyperparameter | "trials" | "space", string>> = {};
  const lists: Partial<Record<Hyperparameter, number[]>> = {};
  for (const key of DIMENSIONS) {
    const dim = draft.dims[key];
    if (!dim.on) continue;
    const values = parseList(dim.text);
    if (!values) errors[key] = "Write numbers separated by commas, e.g. 0.001, 0.003, 0.01.";
    else lists[key] = values;
  }
  const space: SearchSpace = lists;
  const chosen = DIMENSIONS.filter((k) => draft.dims[k].on);
  if (chosen.length === 0) errors.space = "Tick at least one hyperparameter to search.";
  const size = chosen.reduce((n, k) => n * (lists[k]?.length ?? 1), 1);
  let trials = size;
  if (draft.strategy === "grid") {
    if (size > maxTrials)
      errors.space = `The grid has ${size} combinations; this assignment allows ${maxTrials} trials per search. List fewer values, or use random search.`;
  } else {
    trials = Number(draft.trials);
    if (!Number.isInteger(trials) || trials < 1 || trials > maxTrials)
      errors.trials = `Trials must be a whole number from 1 to ${maxTrials}, got "${draft.trials}".`;
  }
  const ok = Object.keys(errors).length === 0;
  return {
    search: ok ? { strategy: draft.strategy, trials, space, ...(draft.halving ? { halving: { factor: 3 } } : {}) } : null,
    errors,
    size,
  };
}

/**
 * The search declaration: grid or random, and for each hyperparameter whether to search it and which
 * values, prefilled around the student's own model. Starting it queues the search on the grader.
 */
export function SearchForm({ view, onStarted }: { view: TuningList; onStarted: (started: Started) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const facts = view.facts;
  const [draft, setDraft] = useState<Draft | null>(() => (view.defaults ? draftFrom(view.defaults) : null));
  const [error, setError] = useState<string | null>(null);
  const start = useMutation(
    trpc.tuning.start.mutationOptions({
      onSuccess: (started) => {
        onStarted(started);
        void queryClient.invalidateQueries({ queryKey: trpc.tuning.list.pathKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.experiment.pathKey() });
      },
      onError: (e) => setError(e.message),
    }),
  );
  const { search, errors, size } = draft ? searchFrom(draft, view.maxTrials) : { search: null, errors: {}, size: 0 };
  // The cost is asked for as the draft changes, before anything starts; the last answer stays while the next loads.
  const cost = useQuery({
    ...trpc.tuning.estimate.queryOptions({
      assignmentId: view.assignment.id,
      search: search ?? { strategy: "grid", trials: 1, space: { learningRate: [0.001] } },
    }),
    enabled: search !== null,
    placeholderData: keepPreviousData,
    retry: false,
  });
  if (!draft || !facts) {
    return (
      <p className="note">
        Your latest submission&apos;s model could not be read, so there is nothing to vary. Submit a valid model first.
      </p>
    );
  }
  const setDim = (key: Hyperparameter, patch: Partial<Draft["dims"][Hyperparameter]>) =>
    setDraft({ ...draft, dims: { ...draft.dims, [key]: { ...draft.dims[key], ...patch } } });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    if (search) start.mutate({ assignmentId: view.assignment.id, search });
  };
  return (
    <form className="stack" onSubmit={submit} aria-label="Declare a search" noValidate>
      <fieldset className="source-choice">
        <legend className="field-label">Strategy</legend>
        <label className="option">
          <input
            type="radio"
            name={`${id}-strategy`}
            checked={draft.strategy === "grid"}
            onChange={() => setDraft({ ...draft, strategy: "grid" })}
          />
          Grid — every combination of the values
        </label>
        <label className="option">
          <input
            type="radio"
            name={`${id}-strategy`}
            checked={draft.strategy === "random"}
            onChange={() => setDraft({ ...draft, strategy: "random" })}
          />
          Random — seeded draws from the values
        </label>
      </fieldset>
      <fieldset className="question stack-tight">
        <legend>Hyperparameters (values separated by commas)</legend>
        {DIMENSIONS.map((key) => {
          const why = blocked(key, facts);
          const yours = YOURS[key](facts);
          const inputId = `${id}-${key}`;
          const hintId = `${inputId}-hint`;
          const errorId = `${inputId}-error`;
          return (
            <div
              key={key}
              style={{
                display: "grid",
                gridTemplateColumns: "16rem minmax(10rem, 16rem) 1fr",
                gap: "0.5rem 0.75rem",
                alignItems: "center",
              }}
            >
              <label className="option">
                <input
                  type="checkbox"
                  checked={draft.dims[key].on && !why}
                  disabled={why !== null}
                  onChange={(e) => setDim(key, { on: e.target.checked })}
                />
                Search {LABEL[key].toLowerCase()}
              </label>
              <input
                id={inputId}
                aria-label={`${LABEL[key]} values`}
                aria-describedby={errors[key] ? `${hintId} ${errorId}` : hintId}
                aria-invalid={errors[key] ? true : undefined}
                value={draft.dims[key].text}
                disabled={!draft.dims[key].on || why !== null}
                onChange={(e) => setDim(key, { text: e.target.value })}
              />
              <span id={hintId} className="muted small">
                {why ?? `yours: ${yours ?? "—"}`}
              </span>
              {errors[key] && (
                <span id={errorId} className="field-error" style={{ gridColumn: "2 / -1" }}>
                  {errors[key]}
                </span>
              )}
            </div>
          );
        })}
      </fieldset>
      <div className="inline-form">
        {draft.strategy === "random" ? (
          <label>
            Trials
            <input
              type="number"
              min={1}
              max={view.maxTrials}
              step={1}
              value={draft.trials}
              aria-invalid={errors.trials ? true : undefined}
              onChange={(e) => setDraft({ ...draft, trials: e.target.value })}
              style={{ width: "7rem" }}
            />
          </label>
        ) : (
          <p style={{ margin: 0 }} data-testid="grid-size">
            Grid: {size} combination{size === 1 ? "" : "s"}, one trial each.
          </p>
        )}
        <span className="muted small">This assignment allows up to {view.maxTrials} trials per search.</span>
      </div>
      <label className="option">
        <input type="checkbox" checked={draft.halving} onChange={(e) => setDraft({ ...draft, halving: e.target.checked })} />
        Successive halving — every trial starts on a fraction of the epochs; only the best third continue (the validation split stays the
        same)
      </label>
      {(errors.trials ?? errors.space) && (
        <p className="field-error" style={{ margin: 0 }}>
          {errors.trials ?? errors.space}
        </p>
      )}
      {search && <CostLine cost={cost} onUse={(proposed) => setDraft(draftOf(proposed, draft))} />}
      <div className="actions">
        <button type="submit" disabled={start.isPending || search === null || cost.data?.fits === false}>
          {start.isPending ? "Starting…" : "Start search"}
        </button>
        <span className="muted small">Costs compute budget, never an attempt.</span>
      </div>
      {error && (
        <p className="error-box" role="alert" style={{ margin: 0 }}>
          {error}
        </p>
      )}
    </form>
  );
}

type Cost = RouterOutputs["tuning"]["estimate"];

/** The declared search's estimated cost against the budget left, and the search that fits when it does not. */
function CostLine({
  cost,
  onUse,
}: {
  cost: { data?: Cost | undefined; error: { message: string } | null; isFetching: boolean };
  onUse: (search: TuningSearch) => void;
}) {
  if (cost.error)
    return (
      <p className="field-error" style={{ margin: 0 }}>
        {cost.error.message}
      </p>
    );
  const data = cost.data;
  if (!data)
    return (
      <p className="muted small" style={{ margin: 0 }}>
        Estimating the cost…
      </p>
    );
  const schedule =
    data.schedule.length > 1
      ? ` (${scheduleText(data.schedule)}, and the final model)`
      : ` (${plural(data.trainings, "training")} with the final model)`;
  return (
    <div className="stack-tight" data-testid="tuning-estimate" aria-live="polite">
      <p style={{ margin: 0 }}>
        Estimated cost: <strong>about {Math.ceil(data.seconds)} s</strong> of grader time{schedule}; you have {Math.floor(data.leftSeconds)}{" "}
        s left.
      </p>
      {!data.fits && (
        <div className="note stack-tight" style={{ margin: 0 }} data-testid="tuning-proposal">
          {data.proposal ? (
            <>
              <span>
                This search does not fit the budget left. A search that does: {plural(data.proposal.search.trials, "trial")}
                {data.proposal.search.halving ? " with successive halving" : ""}, about {Math.ceil(data.proposal.seconds)} s.
              </span>
              <span>
                <button type="button" onClick={() => data.proposal && onUse(data.proposal.search)}>
                  Use this search
                </button>
              </span>
            </>
          ) : (
            <span>This search does not fit the budget left, and no search of two trials or more does.</span>
          )}
        </div>
      )}
    </div>
  );
}
