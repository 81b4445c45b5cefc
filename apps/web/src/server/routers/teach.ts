import { createTRPCRouter } from "../trpc";

// Filled in by the instructor-side work (issue 7).
export const teachRouter = createTRPCRouter({});
