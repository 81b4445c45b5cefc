import type { DeadLetter, JobSubject, JobsOverview } from "@stepwise/db";
import Link from "next/link";
import { formatDate } from "~/lib/format";
import { RetryButton } from "./retry-button";
import "../instructor-tables.css";

const PURPOSE_LABEL: Record<string, string> = { grade: "Grading", preview: "Regrade preview", experiment: "Experiment" };

function purposeOf(job: Pick<JobSubject, "purpose" | "experiment">): string {
  if (job.purpose === "experiment") return job.experiment === null ? "Tuning search" : `Experiment: ${job.experiment}`;
  return PURPOSE_LABEL[job.purpose] ?? job.purpose;
}

/** "45 s", "3 min 05 s", "2 h 04 min". */
export function formatElapsed(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, "0")} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, "0")} min`;
}

function Who({ job }: { job: JobSubject }) {
  return (
    <td>
      {job.userName}
      <div className="small muted">{job.userEmail}</div>
    </td>
  );
}

function What({ job, showCourse }: { job: JobSubject; showCourse: boolean }) {
  return (
    <td>
      <Link href={`/teach/${job.courseId}/submissions/${job.submissionId}`}>{job.assignmentTitle}</Link>
      <div className="small muted">
        {purposeOf(job)}
        {showCourse ? ` · ${job.courseTitle}` : ""}
      </div>
    </td>
  );
}

const ordinal = (n: number) =>
  `${n}${n % 10 === 1 && n % 100 !== 11 ? "st" : n % 10 === 2 && n % 100 !== 12 ? "nd" : n % 10 === 3 && n % 100 !== 13 ? "rd" : "th"}`;

/**
 * The live queue: queued jobs with their place in line, running jobs with their grader, phase and
 * time, and the jobs the grader gave up on, each with Retry. `showCourse` adds the course (operators).
 */
export function JobsView({ overview, showCourse }: { overview: JobsOverview; showCourse: boolean }) {
  return (
    <>
      <section aria-labelledby="running-heading">
        <h2 id="running-heading">Running ({overview.running.length})</h2>
        {overview.running.length === 0 ? (
          <p className="muted">No job is being graded right now.</p>
        ) : (
          <div className="table-scroll">
            <table data-testid="jobs-running">
              <thead>
                <tr>
                  <th scope="col">Student</th>
                  <th scope="col">Assignment</th>
                  <th scope="col">Grader</th>
                  <th scope="col">Phase</th>
                  <th scope="col" className="num">
                    Elapsed
                  </th>
                </tr>
              </thead>
              <tbody>
                {overview.running.map((j) => (
                  <tr key={j.jobId} data-testid="job-running">
                    <Who job={j} />
                    <What job={j} showCourse={showCourse} />
                    <td>
                      <code className="small">{j.workerId ?? "—"}</code>
                    </td>
                    <td data-testid="job-phase">{j.phase}</td>
                    <td className="num">{formatElapsed(j.elapsedMs)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section aria-labelledby="queued-heading">
        <h2 id="queued-heading">Queued ({overview.queued.length})</h2>
        {overview.queued.length === 0 ? (
          <p className="muted">Nothing is waiting.</p>
        ) : (
          <div className="table-scroll">
            <table data-testid="jobs-queued">
              <thead>
                <tr>
                  <th scope="col" className="num">
                    Position
                  </th>
                  <th scope="col">Student</th>
                  <th scope="col">Assignment</th>
                  <th scope="col" className="num">
                    Waiting
                  </th>
                </tr>
              </thead>
              <tbody>
                {overview.queued.map((j) => (
                  <tr key={j.jobId} data-testid="job-queued">
                    <td className="num" data-testid="job-position">
                      {ordinal(j.position + 1)}
                    </td>
                    <Who job={j} />
                    <What job={j} showCourse={showCourse} />
                    <td className="num">{formatElapsed(j.waitingMs)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {!showCourse && overview.queued.length > 0 && (
          <p className="small muted">Positions count every course&apos;s jobs: all courses share the graders.</p>
        )}
      </section>

      <section aria-labelledby="failed-heading">
        <h2 id="failed-heading">Recent failures ({overview.failures.length})</h2>
        <p className="muted">
          Jobs the grader gave up on after every attempt failed on our side (the student is not charged an attempt). Fix the cause — the
          error says what went wrong — then retry: the job goes back to the queue with fresh attempts.
        </p>
        {overview.failures.length === 0 ? (
          <p className="ok-box" data-testid="no-dead-letters">
            No failed jobs.
          </p>
        ) : (
          <div className="table-scroll">
            <table data-testid="dead-letters">
              <thead>
                <tr>
                  <th scope="col">Student</th>
                  <th scope="col">Assignment</th>
                  <th scope="col" className="num">
                    Attempts
                  </th>
                  <th scope="col">Last error</th>
                  <th scope="col">
                    <span className="visually-hidden">Action</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {overview.failures.map((l: DeadLetter) => (
                  <tr key={l.jobId} data-testid="dead-letter">
                    <Who job={l} />
                    <td>
                      <Link href={`/teach/${l.courseId}/submissions/${l.submissionId}`}>{l.assignmentTitle}</Link>
                      <div className="small muted">
                        {purposeOf(l)}
                        {showCourse ? ` · ${l.courseTitle}` : ""}
                        {l.finishedAt !== null && ` · failed ${formatDate(l.finishedAt)}`}
                      </div>
                    </td>
                    <td className="num">
                      {l.attempts} of {l.maxAttempts}
                    </td>
                    <td>
                      <code className="small" style={{ whiteSpace: "pre-wrap", wordBreak: "break-word" }}>
                        {l.lastError ?? "—"}
                      </code>
                    </td>
                    <td>
                      <RetryButton jobId={l.jobId} label={`Retry ${l.userName}'s ${l.assignmentTitle}`} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
