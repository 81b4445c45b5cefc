"use client";

import { describeDecisions, type Verdict } from "@stepwise/core/contracts";
import type { StudentVerdict } from "~/server/services/verdict-view";
import { formatDuration, formatMetric, VERDICT_HEADING } from "~/lib/format";
import type { RouterOutputs } from "~/trpc/types";
import { WhyDidThisFail } from "./experiments/why-did-this-fail";
import { LearningCurves } from "./learning-curves";
import { NextStepLink } from "./next-step-link";

/** The submission a verdict belongs to, for "Why did this fail?" (its suggestions rendered on the server when given). */
export interface VerdictDebugging {
  submissionId: string;
  initial?: RouterOutputs["experiment"]["suggestions"];
}

/** Everything a verdict tells the student, in the order they need it; then, unless it passed, what to try. */
export function VerdictView({
  verdict,
  baseline,
  debugging,
}: {
  verdict: Verdict | StudentVerdict;
  baseline?: number | null;
  debugging?: VerdictDebugging;
}) {
  return (
    <>
      <VerdictCard verdict={verdict} baseline={baseline} />
      {debugging && verdict.status === "passed" && <NextStepLink submissionId={debugging.submissionId} />}
      {debugging && verdict.status !== "passed" && verdict.status !== "withheld" && (
        <WhyDidThisFail submissionId={debugging.submissionId} {...(debugging.initial ? { initial: debugging.initial } : {})} />
      )}
    </>
  );
}

/** The diagnostic code of step 7's "chosen on the test score" notice (`SELECTED_ON_TEST` in the db package; a string here keeps the db out of the client bundle). */
const SELECTED_ON_TEST = "selected-on-test";

function VerdictCard({ verdict, baseline }: { verdict: Verdict | StudentVerdict; baseline?: number | null | undefined }) {
  const metrics = Object.entries(verdict.metrics);
  const notice = verdict.diagnostics.find((d) => d.code === SELECTED_ON_TEST);
  const diagnostics = verdict.diagnostics.filter((d) => d !== notice);
  return (
    <section className={`card verdict ${verdict.status}`} data-testid="verdict" aria-labelledby="verdict-heading">
      <h2 id="verdict-heading" style={{ marginTop: 0 }}>
        {VERDICT_HEADING[verdict.status]}
      </h2>
      <p data-testid="verdict-summary">{verdict.summary}</p>
      {notice && (
        <div className="note" role="note" data-testid="selection-notice">
          <strong>Chosen on the test score?</strong> {notice.message} <span className="muted">{notice.hint}</span>
        </div>
      )}

      {verdict.checks.length > 0 && (
        <>
          <h3>Checks</h3>
          <ul className="checks">
            {verdict.checks.map((check) => (
              <li key={check.id} data-testid={`check-${check.id}`}>
                <span className={check.passed ? "check-ok" : "check-bad"} aria-label={check.passed ? "passed" : "failed"}>
                  {check.passed ? "✓" : "✗"}
                </span>{" "}
                {check.message}
              </li>
            ))}
          </ul>
        </>
      )}

      {metrics.length > 0 && (
        <>
          <h3>Metrics</h3>
          <div className="metrics">
            {metrics.map(([key, metric]) => (
              <div key={key} className="metric">
                <div className="label">{metric.label}</div>
                <div className="value" data-testid={`metric-${key}`}>
                  {formatMetric(metric)}
                </div>
              </div>
            ))}
          </div>
        </>
      )}

      {verdict.curves.history.length > 0 && (
        <>
          <h3>Learning curves</h3>
          <LearningCurves history={verdict.curves.history} baseline={verdict.curves.baseline ?? baseline} />
          {verdict.curves.overfitEpoch !== undefined && (
            <p className="muted">Validation loss was lowest at epoch {verdict.curves.overfitEpoch}; it rose after that.</p>
          )}
        </>
      )}

      {diagnostics.length > 0 && (
        <>
          <h3>Diagnostics</h3>
          <ul data-testid="diagnostics">
            {diagnostics.map((d) => (
              <li key={d.code}>
                {d.message} <span className="muted">Hint: {d.hint}</span>
              </li>
            ))}
          </ul>
        </>
      )}

      {verdict.environment && (
        <p className="muted" data-testid="environment" style={{ fontSize: "0.9rem" }}>
          Graded on the <strong>{verdict.environment.backend}</strong> backend (TF.js {verdict.environment.tfjsVersion})
          {"seed" in verdict.environment ? `, seed ${verdict.environment.seed}` : ""}, in {formatDuration(verdict.environment.durationMs)}
          {"cpuMs" in verdict.environment && verdict.environment.cpuMs !== undefined
            ? ` (${formatDuration(verdict.environment.cpuMs)} of CPU time${verdict.environment.budgetSeconds !== undefined ? ` of the ${verdict.environment.budgetSeconds} s budget` : ""})`
            : ""}
          .
          {verdict.environment.decisions && (
            // A guided project's own choices, which this run was held to.
            <span data-testid="environment-decisions" style={{ display: "block" }}>
              {describeDecisions(verdict.environment.decisions).join(" · ")}
            </span>
          )}
          {verdict.environment.before && (
            <span data-testid="environment-before" style={{ display: "block" }}>
              {verdict.environment.before}
            </span>
          )}
        </p>
      )}
    </section>
  );
}
