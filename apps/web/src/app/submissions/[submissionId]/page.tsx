import Link from "next/link";
import { LiveStatus } from "~/components/live-status";
import { RegradeNotice } from "~/components/regrade-notice";
import { SubmittedModel } from "~/components/submitted-model";
import { VerdictView } from "~/components/verdict-view";
import { formatDate } from "~/lib/format";
import { load, requireUser } from "~/trpc/guard";

export default async function SubmissionPage({ params }: { params: Promise<{ submissionId: string }> }) {
  const { submissionId } = await params;
  const { caller } = await requireUser();
  const view = await load(() => caller.submission.byId({ submissionId }));
  const { submission, assignment, exercise, verdict } = view;
  // "Why did this fail?" is rendered here with the verdict, so its suggestions need no client round trip.
  const suggestions =
    verdict && verdict.status !== "passed" && verdict.status !== "withheld"
      ? await load(() => caller.experiment.suggestions({ submissionId }))
      : undefined;
  return (
    <>
      <p>
        <Link href={`/courses/${assignment.courseId}/assignments/${assignment.id}`}>← {assignment.title}</Link>
      </p>
      <h1>Submission of {formatDate(submission.createdAt)}</h1>
      {view.regrade && <RegradeNotice notice={view.regrade} mine={view.mine} />}
      {verdict ? (
        <VerdictView
          verdict={verdict}
          baseline={exercise.baseline}
          debugging={{ submissionId: submission.id, ...(suggestions ? { initial: suggestions } : {}) }}
        />
      ) : (
        <LiveStatus submissionId={submission.id} baseline={exercise.baseline} />
      )}
      <SubmittedModel payload={submission.payload} />
    </>
  );
}
