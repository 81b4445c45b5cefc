"use client";

import type { Verdict } from "@stepwise/core/contracts";
import { formatDuration, formatMetric, VERDICT_HEADING } from "~/lib/format";
import type { RouterOutputs } from "~/trpc/types";
import { WhyDidThisFail } from "./experiments/why-did-this-fail";
import { LearningCurves } from "./learning-curves";

/** The submission a verdict belongs to, for "Why did this fail?" (its suggestions rendered on the server when given). */
export interface VerdictDebugging {
  submissionId: string;
  initial?: RouterOutputs["experiment"]["suggestions"];
}

/** Everything a verdict tells the student, in the order they need it; then, unless it passed, what to try. */
export function VerdictView({ verdict, baseline, debugging }: { verdict: Verdict; baseline?: number | null; debugging?: VerdictDebugging }) {
  return (
    <>
      <VerdictCard verdict={verdict} baseline={baseline} />
      {debugging && verdict.status !== "passed" && <WhyDidThisFail submissionId={debugging.submissionId} {...(debugging.initial ? { initial: debugging.initial } : {})} />}
    </>
  );
}

function VerdictCard({ verdict, baseline }: { verdict: Verdict; baseline?: number | null | undefined }) {
  const metrics = Object.entries(verdict.metrics);
  return (
    <section className={`card verdict ${verdict.status}`} data-testid="verdict" aria-labelledby="verdict-heading">
      <h2 id="verdict-heading" style={{ marginTop: 0 }}>
        {VERDICT_HEADING[verdict.status]}
      </h2>
      <p data-testid="verdict-summary">{verdict.summary}</p>

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

      {verdict.diagnostics.length > 0 && (
        <>
          <h3>Diagnostics</h3>
          <ul data-testid="diagnostics">
            {verdict.diagnostics.map((d) => (
              <li key={d.code}>
                {d.message} <span className="muted">Hint: {d.hint}</span>
              </li>
            ))}
          </ul>
        </>
      )}

      {verdict.environment && (
        <p className="muted" data-testid="environment" style={{ fontSize: "0.9rem" }}>
          Graded on the <strong>{verdict.environment.backend}</strong> backend (TF.js {verdict.environment.tfjsVersion}), seed{" "}
          {verdict.environment.seed}, in {formatDuration(verdict.environment.durationMs)}.
        </p>
      )}
    </section>
  );
}
