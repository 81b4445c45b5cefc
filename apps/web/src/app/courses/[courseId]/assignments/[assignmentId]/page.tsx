import Link from "next/link";
import { AnswerForm } from "~/components/answer-form";
import { DatasetPanel } from "~/components/dataset-panel";
import { LockNotice } from "~/components/lock-notice";
import { TuneSection } from "~/components/tuning/tune-section";
import { Workbench } from "~/components/workbench";
import { Thresholds } from "~/components/thresholds";
import { formatDate } from "~/lib/format";
import { load, requireUser } from "~/trpc/guard";

export default async function AssignmentPage({ params }: { params: Promise<{ courseId: string; assignmentId: string }> }) {
  const { courseId, assignmentId } = await params;
  const { caller } = await requireUser();
  const [view, data] = await Promise.all([
    load(() => caller.assignment.byId({ assignmentId })),
    load(() => caller.dataset.byAssignment({ assignmentId })),
  ]);
  const { exercise, assignment } = view;
  // The student's draft (and, without one, the model the step before handed on); instructors have none.
  const drafts = view.role === "student" ? await load(() => caller.draft.get({ assignmentId })) : null;
  // Step 7 has a Tune section: a declared search selected on validation only.
  const tuning = exercise.kind === "training" && exercise.step === 7 ? await load(() => caller.tuning.list({ assignmentId })) : null;
  const { budgets } = exercise;
  return (
    <>
      <p>
        <Link href={`/courses/${courseId}`}>← Back to the course</Link>
      </p>
      <h1>{exercise.title}</h1>
      {view.lock && <LockNotice courseId={courseId} lock={view.lock} />}
      <section className="card">
        <p style={{ marginTop: 0 }}>{exercise.summary}</p>
        {exercise.kind === "training" && (
          <Thresholds metric={exercise.metric} chosen={view.decisions?.metric} baseline={exercise.baseline} target={view.target} />
        )}
        {exercise.kind === "training" && (
          <dl className="metrics" aria-label="Budgets" style={{ margin: 0 }}>
            <div className="metric">
              <dt className="label">Max parameters</dt>
              <dd className="value" style={{ margin: 0 }}>
                {budgets.maxParams.toLocaleString("en-US")}
              </dd>
            </div>
            <div className="metric">
              <dt className="label">Max epochs</dt>
              <dd className="value" style={{ margin: 0 }}>
                {budgets.maxEpochs}
              </dd>
            </div>
            <div className="metric">
              <dt className="label">Max batch size</dt>
              <dd className="value" style={{ margin: 0 }}>
                {budgets.maxBatchSize}
              </dd>
            </div>
            <div className="metric">
              <dt className="label">Max training time</dt>
              <dd className="value" style={{ margin: 0 }}>
                {budgets.maxSeconds} s
              </dd>
            </div>
          </dl>
        )}
        {assignment.deadline !== null && <p className="muted">Due {formatDate(assignment.deadline)}.</p>}
        {exercise.kind === "training" && (
          <p>
            <Link href={`/courses/${courseId}/assignments/${assignmentId}/debugging`}>Debugging experiments</Link>{" "}
            <span className="muted">— run the debugging checklist on your model; costs compute budget, not attempts.</span>
          </p>
        )}
        {tuning && (
          <p>
            <a href="#tune">Tune</a>{" "}
            <span className="muted">
              — search learning rate, units, layers and dropout, selected on validation only; costs compute budget, not attempts.
            </span>
          </p>
        )}
        {exercise.hints.length > 0 && (
          <details style={{ marginTop: "0.75rem" }}>
            <summary>Hints</summary>
            <ul>
              {exercise.hints.map((hint) => (
                <li key={hint}>{hint}</li>
              ))}
            </ul>
          </details>
        )}
      </section>
      <DatasetPanel view={data} step={exercise.step} />
      {exercise.kind === "training" ? <Workbench initial={view} drafts={drafts} /> : <AnswerForm initial={view} drafts={drafts} />}
      {tuning && <TuneSection initial={tuning} />}
    </>
  );
}
