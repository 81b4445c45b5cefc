import type { RouterOutputs } from "~/trpc/types";

type Budget = RouterOutputs["experiment"]["list"]["budget"];

/** The compute budget left, with a meter: what experiments cost instead of attempts. */
export function BudgetMeter({ budget }: { budget: Budget }) {
  return (
    <p className="stack-tight" style={{ margin: 0 }} data-testid="experiment-budget">
      <span>
        <strong>{budget.leftSeconds.toFixed(0)} s</strong> of {budget.budgetSeconds} s grader time left for experiments on this assignment
        {budget.reservedSeconds > 0 ? ` (${budget.reservedSeconds.toFixed(0)} s held by runs in the queue)` : ""}. Experiments never cost
        attempts.
      </span>
      <meter
        min={0}
        max={Math.max(budget.budgetSeconds, 1)}
        value={budget.leftSeconds}
        aria-label="Experiment budget left"
        style={{ width: "100%", maxWidth: "24rem" }}
      />
    </p>
  );
}
