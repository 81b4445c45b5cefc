export { openDb, isConnectionError, sqliteFileOf, type Db, type Dialect, type OpenDbOptions } from "./connection";
export { migrate, migrateTo, migrations } from "./migrations";
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
  rehashLegacyPassword,
  sessionsOfUser,
  deleteUserSession,
  changePassword,
  createPasswordReset,
  resetPassword,
  type SessionInfo,
  DEFAULT_SESSION_TTL_MS,
  CREDENTIAL_PROVIDER,
  type Role,
  type User,
} from "./users";
export { hashPassword, verifyPasswordHash, isLegacyPasswordHash, LEGACY_HASH_PREFIX } from "./passwords";
export { authStorage, authPasswords, AuthColumns, AUTH_DATE_COLUMNS, AUTH_BOOLEAN_COLUMNS } from "./auth-store";
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
  updateCourse,
  rotateJoinCode,
  courseMembers,
  removeCourseInstructor,
  updateAssignment,
  deleteAssignment,
  setExtension,
  clearExtension,
  extensionsFor,
  extensionDeadline,
  courseDataFiles,
  importCourse,
  type Course,
  type Assignment,
  type AssignmentPatch,
  type CourseRole,
  type CourseMember,
  type Extension,
  type CourseDataFile,
  type CourseImport,
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
export { hitRateLimit, rateLimitCount, clearRateLimit, purgeRateLimits, authRateLimitStorage, type RateLimitStorage } from "./rate-limits";
export * from "./gradebook";
export * from "./regrades";
export * from "./datasets";
export * from "./experiments";
export * from "./tuning";
export * from "./test-evaluations";
export * from "./test-selection";
export * from "./calibration";
export * from "./projects";
export * from "./drafts";
export {
  createInvitation,
  pendingInvitations,
  revokeInvitation,
  invitationByToken,
  acceptInvitation,
  INVITATION_TTL_MS,
  type PendingInvitation,
  type InvitationState,
} from "./invitations";
export { canonicalModel, submissionFingerprint, type Fingerprinted } from "./fingerprint";
export { identicalWork, type IdenticalGroup } from "./identical-work";
export * from "./jobs-overview";
export * from "./audit";
