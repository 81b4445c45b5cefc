import type { Generated } from "kysely";
import type {
  LtiContextsTable,
  LtiKeysTable,
  LtiLaunchTokensTable,
  LtiLinksTable,
  LtiMembersTable,
  LtiPassbacksTable,
  LtiPlatformsTable,
  LtiStatesTable,
  LtiUsersTable,
} from "./lti/schema";

/**
 * Table shapes as stored. Portable across SQLite and PostgreSQL: ids are text (UUIDs),
 * timestamps are bigint milliseconds since the epoch, JSON is text (parsed with zod at read),
 * booleans are integers 0/1. Rows are mapped to camelCase domain objects in `rows.ts`.
 */
export interface UsersTable {
  id: string;
  email: string;
  name: string;
  role: string;
  /** 0/1; better-auth's `emailVerified` (we do not verify addresses yet). */
  email_verified: Generated<number>;
  image: string | null;
  created_at: number;
  updated_at: number;
}

/**
 * better-auth's `session` model. The token is the cookie's payload (the cookie adds an HMAC
 * signature made with the auth secret, so a copy of this table alone cannot forge a cookie).
 */
export interface SessionsTable {
  id: string;
  token: string;
  user_id: string;
  expires_at: number;
  created_at: number;
  updated_at: number;
  ip_address: string | null;
  user_agent: string | null;
}

/** better-auth's `account` model: how a user signs in; `provider_id = 'credential'` holds the password hash. */
export interface AccountsTable {
  id: string;
  account_id: string;
  provider_id: string;
  user_id: string;
  access_token: string | null;
  refresh_token: string | null;
  id_token: string | null;
  access_token_expires_at: number | null;
  refresh_token_expires_at: number | null;
  scope: string | null;
  password: string | null;
  created_at: number;
  updated_at: number;
}

/** better-auth's `verification` model (one-time values such as e-mail verification tokens). */
export interface VerificationsTable {
  id: string;
  identifier: string;
  value: string;
  expires_at: number;
  created_at: number;
  updated_at: number;
}

export interface CoursesTable {
  id: string;
  title: string;
  join_code: string;
  archived: number;
  created_at: number;
  /** JSON: `{ defaultAttempts?, latePenalty? }` (the course folder's `settings`). */
  settings: Generated<string>;
  /** `guided` (steps lock until their prerequisite passes) or `independent`; see migration 0010. */
  mode: Generated<string>;
}

/** An instructor's override of one step of one student's project (`action`: open | pass). */
export interface StepOverridesTable {
  course_id: string;
  user_id: string;
  /** The project's key (`projectKey` of its dataset: `mnist`, `imdb`, `csv:<file>:<target>`). */
  project: string;
  step_id: string;
  action: string;
  created_by: string;
  created_at: number;
}

export interface EnrollmentsTable {
  course_id: string;
  user_id: string;
  role: string;
  created_at: number;
}

export interface AssignmentsTable {
  id: string;
  course_id: string;
  exercise_id: string;
  title: string;
  overrides: string;
  deadline: number | null;
  attempts_allowed: number | null;
  position: number;
  created_at: number;
}

export interface SubmissionsTable {
  id: string;
  assignment_id: string;
  user_id: string;
  exercise_id: string;
  payload: string;
  created_at: number;
  /** sha256 of the canonical model (`fingerprint.ts`); "" without a model; null until computed (rows from before 0015). */
  fingerprint: string | null;
}

export interface JobsTable {
  id: string;
  submission_id: string;
  status: string;
  priority: number;
  attempts: number;
  max_attempts: number;
  run_after: number;
  lease_until: number | null;
  worker_id: string | null;
  last_error: string | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  /** Insertion order, the tie-breaker when jobs share priority and created_at (bigserial on PostgreSQL). */
  seq: Generated<number>;
  /**
   * `grade` decides the submission's verdict; `preview` belongs to a regrade not (yet) applied;
   * `experiment` runs the debugging experiment named in `experiment` on the submission's model.
   */
  purpose: Generated<string>;
  regrade_id: string | null;
  experiment: string | null;
  /** The declared search of a `tune` experiment job (JSON of the exercises package's `TuningSearch`); null otherwise. */
  tuning_search: string | null;
  /** Grader seconds an experiment or tuning run was estimated at when started (migration 0016); null otherwise. */
  estimate_seconds: number | null;
}

export interface ExperimentResultsTable {
  job_id: string;
  /** JSON of the experiment's result (outcome, message, evidence). */
  result: string;
  created_at: number;
}

export interface VerdictsTable {
  job_id: string;
  submission_id: string;
  status: string;
  verdict: string;
  created_at: number;
}

export interface JobProgressTable {
  job_id: string;
  seq: number;
  event: string;
  at: number;
}

export interface JobLogsTable {
  job_id: string;
  text: string;
  bytes: number;
  truncated: number;
}

export interface RegradesTable {
  id: string;
  assignment_id: string;
  created_by: string;
  /** previewing | applied | discarded */
  status: string;
  created_at: number;
  finished_at: number | null;
}

/** A per-student deadline that replaces the assignment's. */
export interface ExtensionsTable {
  assignment_id: string;
  user_id: string;
  deadline: number;
  created_at: number;
}

/** A CSV uploaded into a course; assignments refer to it by `file`, as in a course folder. */
export interface DatasetsTable {
  id: string;
  course_id: string;
  file: string;
  csv: string;
  bytes: number;
  rows: number;
  /** JSON array of column names, in file order. */
  columns: string;
  created_by: string | null;
  created_at: number;
  /** Seed of the dataset's hidden test split, fixed at upload; assignments' seeds never move it. */
  split_seed: number;
}

/** One evaluation on an assignment's hidden test set (a step-7 grading or a tuning run's final phase). */
export interface TestEvaluationsTable {
  id: string;
  assignment_id: string;
  user_id: string;
  /** submission | tuning */
  source: string;
  submission_id: string;
  job_id: string | null;
  created_at: number;
  evaluated_at: number | null;
  validation_metric: number | null;
  /** e.g. `valAccuracy` (best epoch), `kfoldMean`; evaluations are compared only on like metrics. */
  validation_metric_name: string | null;
  test_metric: number | null;
  /** 0/1: 1 for accuracies, 0 for losses and errors. */
  higher_is_better: Generated<number>;
  config_key: string | null;
  /** JSON `SelectionFlag` when the configuration can only have been chosen on the test score. */
  flag: string | null;
}

/**
 * A grader's measured training speed, one row per grader process (`worker_id`), replaced at each
 * measurement. The web app's submit-time estimate reads the recent ones (`calibration.ts`).
 */
export interface GraderCalibrationsTable {
  worker_id: string;
  host: string;
  /** The TF.js backend its training children run on, as verdicts record it (e.g. `wasm`, `wasm+openblas`). */
  backend: string;
  /** Effective training throughput of one grader slot, 10⁹ multiply-adds per second. */
  gflops: number;
  /** Throughput of a training step's products measured training the reference models, 10⁹/s; null before migration 0017. */
  training_gflops: number | null;
  /** Fixed seconds of every training step, measured with `training_gflops`; null before migration 0017. */
  step_seconds: number | null;
  /** Measured over predicted epoch seconds of the grader's recent trainings (median); null before it completed one, and before migration 0018. */
  speed_correction: number | null;
  /**
   * JSON object, dataset key (`datasetKey`) → that dataset's correction, for datasets the grader trained
   * on recently; null before it completed a training, and before migration 0019. Read leniently: a
   * malformed value is ignored, the estimate then uses `speed_correction`.
   */
  speed_corrections: string | null;
  measured_at: number;
}

/** A student's unsubmitted work on an assignment: one row per student and assignment. */
export interface DraftsTable {
  user_id: string;
  assignment_id: string;
  /** JSON, at most `DRAFT_MAX_BYTES`; its shape belongs to the web app. */
  content: string;
  updated_at: number;
}

/** An invitation to co-teach a course (`invitations.ts`); pending while neither accepted, revoked nor expired. */
export interface CourseInvitationsTable {
  id: string;
  course_id: string;
  /** The invitee's e-mail, normalized: only the account with this e-mail may accept. */
  email: string;
  /** SHA-256 of the invitation link's token, base64url. */
  token_hash: string;
  invited_by: string;
  created_at: number;
  expires_at: number;
  accepted_at: number | null;
  accepted_by: string | null;
  revoked_at: number | null;
}

/** The append-only audit log (migration 0013); `before`/`after` are JSON, their shape set by `action`. */
export interface AuditEventsTable {
  id: string;
  course_id: string;
  assignment_id: string | null;
  /** Null when the system acted (no signed-in user). */
  actor_id: string | null;
  action: string;
  /** The student a grade change or an extension is about. */
  subject_user_id: string | null;
  submission_id: string | null;
  before: string | null;
  after: string | null;
  created_at: number;
  /** Insertion order: one more than the largest so far (ties only between concurrent transactions). */
  seq: number;
}

/** A student saw the grade change `event_id` (opened the submission). */
export interface GradeChangesSeenTable {
  event_id: string;
  seen_at: number;
}

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  accounts: AccountsTable;
  verifications: VerificationsTable;
  courses: CoursesTable;
  enrollments: EnrollmentsTable;
  assignments: AssignmentsTable;
  submissions: SubmissionsTable;
  jobs: JobsTable;
  verdicts: VerdictsTable;
  job_progress: JobProgressTable;
  job_logs: JobLogsTable;
  regrades: RegradesTable;
  extensions: ExtensionsTable;
  datasets: DatasetsTable;
  experiment_results: ExperimentResultsTable;
  test_evaluations: TestEvaluationsTable;
  grader_calibrations: GraderCalibrationsTable;
  step_overrides: StepOverridesTable;
  drafts: DraftsTable;
  course_invitations: CourseInvitationsTable;
  lti_keys: LtiKeysTable;
  lti_platforms: LtiPlatformsTable;
  lti_states: LtiStatesTable;
  lti_launch_tokens: LtiLaunchTokensTable;
  lti_users: LtiUsersTable;
  lti_contexts: LtiContextsTable;
  lti_links: LtiLinksTable;
  lti_members: LtiMembersTable;
  lti_passbacks: LtiPassbacksTable;
  audit_events: AuditEventsTable;
  grade_changes_seen: GradeChangesSeenTable;
}
