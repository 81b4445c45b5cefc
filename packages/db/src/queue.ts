/**
 * The job queue: its lifecycle (claim → complete / fail / hand back / reap / cancel), dead letters and
 * statistics, each in its own module; this module is the `@stepwise/db/queue` entry.
 */
export { appendLog, appendProgress, jobLog, progressSince, notifyJob, DEFAULT_LOG_CAP_BYTES, JOB_CHANNEL } from "./progress";
export type { JobRow, SubmissionRow } from "./rows";
export { claimQueue, fairOrder, estimateWaitMs, queuePosition, queueStanding, type QueueStanding, type QueuedJob } from "./queue-position";
export {
  type ClaimedJob,
  defaultBackoffMs,
  claimJob,
  heartbeat,
  completeJob,
  failJob,
  handBackJob,
  reapExpired,
  cancelJob,
} from "./queue-lifecycle";
export { deadLetterVerdict, retryDeadJob } from "./queue-dead-letters";
export { listJobs, queueStats, courseOfJob, openJobsOfCourse } from "./queue-stats";
