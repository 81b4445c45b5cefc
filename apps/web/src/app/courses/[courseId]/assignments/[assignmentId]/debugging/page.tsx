import Link from "next/link";
import { notFound } from "next/navigation";
import { BudgetMeter } from "~/components/experiments/budget";
import { LastRun, RunExperiment } from "~/components/experiments/run-experiment";
import { formatDate } from "~/lib/format";
import { load, requireUser } from "~/trpc/guard";

/**
 * The Debugging page of one step: every experiment of the debugging checklist with the student's
 * latest result of it (the sentence and a chart of the evidence), the compute budget left, and a Run
 * button on the latest submission.
 */
export default async function DebuggingPage({ params }: { params: Promise<{ courseId: string; assignmentId: string }> }) {
  const { courseId, assignmentId } = await params;
  const { caller } = await requireUser();
  const view = await load(() => caller.experiment.list({ assignmentId }));
  if (view.assignment.courseId !== courseId) notFound();
  const stepHref = `/courses/${courseId}/assignments/${assignmentId}`;
  const latest = view.latestSubmission;
  return (
    <>
      <p>
        <Link href={stepHref}>← {view.exercise.title}</Link>
      </p>
      <h1>Debugging experiments</h1>
      <section className="card stack" aria-label="About these experiments">
        <p style={{ margin: 0 }}>
          Each experiment of the debugging checklist runs on your model with the grader&apos;s training data (never its test data), seeded,
          and answers with a sentence and a chart. Runs cost grader time from your budget, not attempts.
        </p>
        <BudgetMeter budget={view.budget} />
        {view.exercise.kind !== "training" ? (
          <p className="muted" style={{ margin: 0 }}>
            This step is answered with a form: there is no model for an experiment to examine.
          </p>
        ) : latest ? (
          <p className="muted" style={{ margin: 0 }}>
            Run buttons use your latest submission, of {formatDate(latest.createdAt)}.
          </p>
        ) : (
          <p className="muted" style={{ margin: 0 }}>
            Submit a model on the <Link href={stepHref}>step page</Link> first: experiments run on a submission.
          </p>
        )}
      </section>
      {view.experiments.map((entry) => (
        <section
          key={entry.experiment}
          className="card stack"
          aria-labelledby={`experiment-${entry.experiment}`}
          data-testid={`experiment-${entry.experiment}`}
        >
          <h2 id={`experiment-${entry.experiment}`} style={{ margin: 0 }}>
            {entry.title} <code className="small muted">{entry.experiment}</code>
          </h2>
          <p style={{ margin: 0 }}>{entry.question}</p>
          {entry.unavailable ? (
            <p className="muted" style={{ margin: 0 }}>
              Not available: {entry.unavailable}.
            </p>
          ) : (
            <>
              {!entry.last && (
                <p className="muted" style={{ margin: 0 }}>
                  Not run yet.
                </p>
              )}
              {latest ? (
                <RunExperiment submissionId={latest.id} experiment={entry.experiment} title={entry.title} last={entry.last} />
              ) : (
                entry.last && <LastRun run={entry.last} />
              )}
            </>
          )}
        </section>
      ))}
    </>
  );
}
