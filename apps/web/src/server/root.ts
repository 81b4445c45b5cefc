import { assignmentRouter } from "./routers/assignment";
import { authRouter } from "./routers/auth";
import { courseRouter } from "./routers/course";
import { courseDatasetRouter } from "./routers/course-dataset";
import { datasetRouter } from "./routers/dataset";
import { draftRouter } from "./routers/draft";
import { experimentRouter } from "./routers/experiment";
import { folderRouter } from "./routers/folder";
import { gradeChangeRouter } from "./routers/grade-change";
import { gradebookRouter } from "./routers/gradebook";
import { invitationRouter } from "./routers/invitation";
import { ltiRouter } from "./routers/lti";
import { jobsRouter } from "./routers/jobs";
import { projectRouter } from "./routers/project";
import { regradeRouter } from "./routers/regrade";
import { submissionRouter } from "./routers/submission";
import { tuningRouter } from "./routers/tuning";
import { createCallerFactory, createTRPCRouter } from "./trpc";

/**
 * Every procedure states who may call it through its base procedure (`trpc.ts`): public, signed in,
 * instructor (global role), or scoped to the course, assignment or submission in its input.
 */
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
  folder: folderRouter,
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
