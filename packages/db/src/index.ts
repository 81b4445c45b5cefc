export { openDb, type Db, type Dialect, type OpenDbOptions } from "./connection";
export { migrate, migrations } from "./migrations";
export type { Database } from "./schema";
export {
  createUser,
  verifyPassword,
  createSession,
  userBySessionToken,
  deleteSession,
  deleteExpiredSessions,
  userById,
  userByEmail,
  normalizeEmail,
  DEFAULT_SESSION_TTL_MS,
  type Role,
  type User,
} from "./users";
export {
  createCourse,
  courseById,
  courseByJoinCode,
  setCourseArchived,
  enroll,
  membership,
  coursesForUser,
  createAssignment,
  assignmentsForCourse,
  assignmentById,
  generateJoinCode,
  type Course,
  type Assignment,
  type CourseRole,
} from "./courses";
export {
  createSubmissionWithJob,
  submissionById,
  submissionsFor,
  countAttempts,
  latestJobForSubmission,
  jobById,
  verdictForJob,
  enqueueRegrade,
  DEFAULT_MAX_ATTEMPTS,
  STUDENT_PRIORITY,
  REGRADE_PRIORITY,
} from "./submissions";
export * from "./queue";
export { hitRateLimit, rateLimitCount, clearRateLimit, purgeRateLimits } from "./rate-limits";
export * from "./gradebook";
export * from "./regrades";
export * from "./datasets";
