import { assignmentRouter } from "./routers/assignment";
import { authRouter } from "./routers/auth";
import { courseRouter } from "./routers/course";
import { courseDatasetRouter } from "./routers/course-dataset";
import { datasetRouter } from "./routers/dataset";
import { draftRouter } from "./routers/draft";
import { experimentRouter } from "./routers/experiment";
import { gradeChangeRouter } from "./routers/grade-change";
import { gradebookRouter } from "./routers/gradebook";
import { invitationRouter } from "./routers/invitation";
import { ltiRouter } from "./routers/lti";
import { jobsRouter } from "./routers/jobs";
import { projectRouter } from "./routers/project";
import { regradeRouter } from "./routers/regrade";
import { submissionRouter } from "./routers/submission";
import { teachRouter } from "./routers/teach";
import { tuningRouter } from "./routers/tuning";
import { createCallerFactory, createTRPCRouter } from "./trpc";

export const appRouter = createTRPCRouter({
  auth: authRouter,
  course: courseRouter,
  dataset: datasetRouter,
  assignment: assignmentRouter,
  submission: submissionRouter,
  project: projectRouter,
  draft: draftRouter,
  experiment: experimentRouter,
  tuning: tuningRouter,
  gradeChange: gradeChangeRouter,
  // Instructor procedures (course-scoped: each checks the caller teaches the course in its input).
  teach: teachRouter,
  gradebook: gradebookRouter,
  jobs: jobsRouter,
  regrade: regradeRouter,
  courseDataset: courseDatasetRouter,
  // Co-teaching invitations: created, listed and revoked by a course's instructors, accepted by the invitee.
  invitation: invitationRouter,
  lti: ltiRouter,
});

export type AppRouter = typeof appRouter;

export const createCaller = createCallerFactory(appRouter);
