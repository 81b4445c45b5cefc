import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ModelSummaryTable } from "~/components/model-summary-table";
import { VerdictView } from "~/components/verdict-view";
import { formatDate, formatDuration, JOB_STATUS_LABEL, VERDICT_HEADING } from "~/lib/format";
import { load, requireUser } from "~/trpc/guard";

export const metadata: Metadata = { title: "Submission" };

const PURPOSE_LABEL: Record<string, string> = { grade: "Grading", preview: "Regrade preview", experiment: "Experiment" };
const VISIBILITY_LABEL = { always: "Always", after_deadline: "After the deadline", never: "Never (instructors only)" } as const;

/**
 * One submission as its instructors see it: what was submitted, the model's summary, the full
 * verdict (checks students may not see included), and every job that graded it, with logs.
 */
export default async function TeachSubmissionPage({ params }: { params: Promise<{ courseId: string; submissionId: string }> }) {
  const { courseId, submissionId } = await params;
  const { caller } = await requireUser();
  const view = await load(() => caller.gradebook.submission({ submissionId }));
  if (view.course.id !== courseId) notFound();
  const { submission, model, lateness } = view;
  const current = view.jobs.find((j) => j.current) ?? null;
  const payload = submission.payload;
  const env = current?.verdict?.environment;

  return (
    <>
      <p>
        <Link href={`/teach/${courseId}/gradebook/${view.assignment.id}/${view.student.id}`}>
          ← {view.student.name} — {view.assignment.title}
        </Link>
      </p>
      <h1>Submission of {formatDate(submission.createdAt)}</h1>
      <p className="muted">
        {view.student.name} ({view.student.email}) · {view.exercise?.title ?? submission.exerciseId} ·{" "}
        {lateness.late ? (
          <span className="badge failed" data-testid="submission-late">
            {lateness.daysLate} day{lateness.daysLate === 1 ? "" : "s"} late, score × {lateness.factor}
          </span>
        ) : (
          "on time"
        )}
      </p>
      <div className="actions" style={{ marginBottom: "1rem" }}>
        {current?.verdict && (
          <a className="button secondary" href={`/api/teach/submissions/${submission.id}/results`} download>
            Gradescope results.json
          </a>
        )}
      </div>

      {env && (
        <p data-testid="grader-environment">
          Graded on backend <strong>{env.backend}</strong> (TF.js {env.tfjsVersion}) with seed <strong>{env.seed}</strong> in{" "}
          {formatDuration(env.durationMs)}.
        </p>
      )}

      {current?.verdict ? (
        <>
          <VerdictView verdict={current.verdict} baseline={view.exercise?.baseline ?? null} />
          {current.verdict.checks.length > 0 && (
            <section className="card" aria-labelledby="visibility-heading">
              <h2 id="visibility-heading" style={{ marginTop: 0 }}>
                Who sees each check
              </h2>
              <table>
                <thead>
                  <tr>
                    <th scope="col">Check</th>
                    <th scope="col">Result</th>
                    <th scope="col">Shown to the student</th>
                  </tr>
                </thead>
                <tbody>
                  {current.verdict.checks.map((c) => (
                    <tr key={c.id}>
                      <td>
                        <code>{c.id}</code>
                      </td>
                      <td>{c.passed ? "Passed" : "Failed"}</td>
                      <td>{VISIBILITY_LABEL[c.visibility]}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          )}
        </>
      ) : (
        <p className="note">Not graded yet{current ? ` (${JOB_STATUS_LABEL[current.status]})` : ""}.</p>
      )}

      {model && (
        <section className="card" aria-labelledby="model-heading">
          <h2 id="model-heading" style={{ marginTop: 0 }}>
            Model
          </h2>
          {model.ok ? (
            <ModelSummaryTable
              result={{ topology: {}, layers: model.layers, totalParams: model.totalParams, trainableParams: model.totalParams }}
              maxParams={view.budgets?.maxParams ?? Number.POSITIVE_INFINITY}
            />
          ) : (
            <p className="error-box">The grader cannot read this model: {model.error}</p>
          )}
          {payload.model && (
            <details>
              <summary>Model spec ({payload.model.format} JSON)</summary>
              <pre className="small" style={{ overflowX: "auto", maxHeight: "24rem" }}>
                {typeof payload.model.topology === "string" ? payload.model.topology : JSON.stringify(payload.model.topology, null, 2)}
              </pre>
            </details>
          )}
        </section>
      )}

      {payload.training && (
        <section className="card" aria-labelledby="training-heading">
          <h2 id="training-heading" style={{ marginTop: 0 }}>
            Training settings
          </h2>
          <pre className="small" data-testid="training-settings">
            {JSON.stringify(payload.training, null, 2)}
          </pre>
          {payload.claimed && (
            <p>
              Claimed {payload.claimed.metric} {payload.claimed.value} in the browser.
            </p>
          )}
        </section>
      )}

      {payload.answers && (
        <section className="card" aria-labelledby="answers-heading">
          <h2 id="answers-heading" style={{ marginTop: 0 }}>
            Answers
          </h2>
          <table data-testid="answers">
            <thead>
              <tr>
                <th scope="col">Question</th>
                <th scope="col">Answer</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(payload.answers).map(([id, value]) => (
                <tr key={id}>
                  <td>
                    <code>{id}</code>
                  </td>
                  <td>{String(value)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}

      <section className="card" aria-labelledby="jobs-heading">
        <h2 id="jobs-heading" style={{ marginTop: 0 }}>
          Jobs
        </h2>
        <p className="muted">Every grading run of this submission, oldest first, regrade previews included.</p>
        <ol className="stack" style={{ paddingLeft: "1.25rem" }} data-testid="jobs">
          {view.jobs.map((job) => (
            <li key={job.id} data-testid="job">
              <strong>{PURPOSE_LABEL[job.purpose] ?? job.purpose}</strong>
              {job.experiment ? ` (${job.experiment})` : ""} · {JOB_STATUS_LABEL[job.status]}
              {job.current && (
                <>
                  {" "}
                  <span className="badge passed">current</span>
                </>
              )}{" "}
              · queued {formatDate(job.createdAt)} · attempt {job.attempts} of {job.maxAttempts}
              {job.workerId ? ` · ${job.workerId}` : ""}
              {job.verdict && (
                <>
                  {" "}
                  · <span className={`badge ${job.verdict.status}`}>{VERDICT_HEADING[job.verdict.status]}</span> score{" "}
                  {Math.round(job.verdict.score * 100)}
                  {job.verdict.environment ? ` · ${job.verdict.environment.backend}, seed ${job.verdict.environment.seed}` : ""}
                </>
              )}
              {job.lastError && <p className="error-box small">Last error: {job.lastError}</p>}
              <details>
                <summary>Log{job.log === "" ? " (empty)" : ""}</summary>
                <pre className="small" style={{ overflowX: "auto", maxHeight: "24rem", whiteSpace: "pre-wrap" }}>
                  {job.log}
                </pre>
              </details>
            </li>
          ))}
        </ol>
      </section>
    </>
  );
}
