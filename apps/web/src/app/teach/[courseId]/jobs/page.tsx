import type { Metadata } from "next";
import Link from "next/link";
import { AutoRefresh } from "~/components/jobs/auto-refresh";
import { JobsView } from "~/components/jobs/jobs-view";
import { load, requireUser } from "~/trpc/guard";

export const metadata: Metadata = { title: "Jobs" };

/** The course's live queue: what is waiting, what is being graded where and for how long, what failed. */
export default async function CourseJobsPage({ params }: { params: Promise<{ courseId: string }> }) {
  const { courseId } = await params;
  const { caller } = await requireUser();
  const overview = await load(() => caller.jobs.list({ courseId }));
  return (
    <>
      <p>
        <Link href={`/teach/${courseId}/gradebook`}>← Gradebook</Link>
      </p>
      <h1>Jobs</h1>
      <p className="muted">
        This course&apos;s grading, regrade previews and experiments. The list refreshes every few seconds;{" "}
        <code>stepwise jobs --course {courseId}</code> prints the same.
      </p>
      <AutoRefresh intervalMs={3000} />
      <JobsView overview={overview} showCourse={false} />
    </>
  );
}
