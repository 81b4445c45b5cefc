import type { JobsOverview } from "@stepwise/db";

/** The sections `stepwise jobs --status` may pick; absent, all three. */
export const JOB_SECTIONS = ["queued", "running", "dead"] as const;
export type JobSection = (typeof JOB_SECTIONS)[number];

const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;
const who = (j: { userEmail: string; assignmentTitle: string; courseTitle: string }) =>
  `${j.userEmail} · ${j.assignmentTitle} (${j.courseTitle})`;

/**
 * The jobs overview as text: the same rows the web app's jobs page shows (both read `jobsOverview`).
 * Only the listed sections; each says when it is empty.
 */
export function jobsText(overview: JobsOverview, sections: readonly JobSection[] = JOB_SECTIONS): string {
  const out: string[] = [];
  if (sections.includes("queued")) {
    out.push(`Queued (${overview.queued.length})`);
    for (const j of overview.queued)
      out.push(`  #${j.position + 1}  ${j.jobId}  ${j.purpose.padEnd(10)} waiting ${seconds(j.waitingMs).padEnd(8)} ${who(j)}`);
  }
  if (sections.includes("running")) {
    out.push(`Running (${overview.running.length})`);
    for (const j of overview.running)
      out.push(`  ${j.jobId}  ${(j.workerId ?? "—").padEnd(24)} ${j.phase.padEnd(26)} ${seconds(j.elapsedMs).padEnd(8)} ${who(j)}`);
  }
  if (sections.includes("dead")) {
    out.push(`Failed (${overview.failures.length})`);
    for (const j of overview.failures)
      out.push(`  ${j.jobId}  ${j.attempts}/${j.maxAttempts} attempts  ${who(j)}\n      ${j.lastError ?? "no error recorded"}`);
  }
  return out.join("\n");
}
