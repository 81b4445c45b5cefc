import type { Metadata } from "next";
import { AutoRefresh } from "~/components/jobs/auto-refresh";
import { JobsView } from "~/components/jobs/jobs-view";
import { load, requireUser } from "~/trpc/guard";

export const metadata: Metadata = { title: "All jobs" };

/** Every course's live queue, for operators (the `admin` role); everyone else gets the not-found page. */
export default async function AllJobsPage() {
  const { caller } = await requireUser();
  const overview = await load(() => caller.jobs.list({}));
  return (
    <>
      <h1>All jobs</h1>
      <p className="muted">
        Every course&apos;s queue, as <code>stepwise jobs</code> prints it. The list refreshes every few seconds.
      </p>
      <AutoRefresh intervalMs={3000} />
      <JobsView overview={overview} showCourse />
    </>
  );
}
