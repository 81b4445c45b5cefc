import { NotFoundError, PreconditionError } from "@stepwise/core/contracts";
import { issueLaunchToken, listPlatforms, passbackStates, PlatformInput, registerPlatform, retryPassback } from "@stepwise/db/lti";
import { z } from "zod";
import { liveServiceDeps, toolUrls } from "../lti/deps";
import { REGISTRATION_LINK_TTL_MS } from "../lti/registration";
import { syncRosters } from "../lti/roster";
import { assignmentProcedure, courseProcedure, createTRPCRouter, instructorProcedure } from "../trpc";

const Id = z.string().min(1).max(100);

export const ltiRouter = createTRPCRouter({
  /** The URLs an LMS administrator pastes (paths: prefix them with the address the browser uses). Instructors. */
  toolUrls: instructorProcedure.query(() => toolUrls("")),

  /** Platforms the caller registered (an admin sees all). Instructors. */
  platforms: instructorProcedure.query(({ ctx }) => listPlatforms(ctx.db, ctx.user.role === "admin" ? undefined : ctx.user.id)),

  /**
   * Registers an LMS (or updates the caller's registration of it). Instructors; trusting the LMS's
   * e-mail addresses to link existing accounts is for operators (the CLI) only.
   */
  register: instructorProcedure
    .input(PlatformInput.omit({ trustEmail: true }).strict())
    .mutation(({ ctx, input }) => registerPlatform(ctx.db, input, { registeredBy: ctx.user.id, now: ctx.now() })),

  /**
   * A one-time dynamic-registration link (path; prefix it with the address the browser uses) to paste
   * into an LMS that supports LTI Dynamic Registration; the platform it registers is the caller's. Instructors.
   */
  registrationLink: instructorProcedure.mutation(async ({ ctx }) => {
    const token = await issueLaunchToken(ctx.db, {
      kind: "registration",
      userId: ctx.user.id,
      payload: {},
      now: ctx.now(),
      ttlMs: REGISTRATION_LINK_TTL_MS,
    });
    return { path: `/api/lti/register?token=${encodeURIComponent(token)}`, expiresAt: ctx.now() + REGISTRATION_LINK_TTL_MS };
  }),

  /** Passback state of each (assignment, student) cell bound to an LMS line item: sent / pending / failed with the reason. Instructors of the course. */
  passbacks: courseProcedure.instructor.input(z.object({ courseId: Id }).strict()).query(async ({ ctx, input }) => {
    return passbackStates(ctx.db, input.courseId);
  }),

  /** Queues one cell's passback again. Instructors of the assignment's course. */
  retryPassback: assignmentProcedure.instructor
    .input(z.object({ assignmentId: Id, userId: Id }).strict())
    .mutation(async ({ ctx, input }) => {
      if (!(await retryPassback(ctx.db, { ...input, now: ctx.now() })))
        throw new NotFoundError(
          "Nothing to send: this student has no submission, or the assignment is not linked to an LMS gradebook column.",
        );
      return { queued: true };
    }),

  /** Pulls the course's LMS roster now (it is also synced daily). Instructors of the course. */
  syncRoster: courseProcedure.instructor.input(z.object({ courseId: Id }).strict()).mutation(async ({ ctx, input }) => {
    const results = await syncRosters(liveServiceDeps(ctx.db), { courseId: input.courseId });
    if (results.length === 0) throw new PreconditionError("This course is not connected to an LMS course with a roster service.");
    return results;
  }),
});
