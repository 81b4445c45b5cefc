import { assignmentRouter } from "./routers/assignment";
import { authRouter } from "./routers/auth";
import { courseRouter } from "./routers/course";
import { datasetRouter } from "./routers/dataset";
import { submissionRouter } from "./routers/submission";
import { createCallerFactory, createTRPCRouter } from "./trpc";

export const appRouter = createTRPCRouter({
  auth: authRouter,
  course: courseRouter,
  dataset: datasetRouter,
  assignment: assignmentRouter,
  submission: submissionRouter,
});

export type AppRouter = typeof appRouter;

export const createCaller = createCallerFactory(appRouter);
