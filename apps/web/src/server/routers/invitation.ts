import { NotFoundError } from "@stepwise/core/contracts";
import { acceptInvitation, createInvitation, invitationByToken, normalizeEmail, pendingInvitations, revokeInvitation } from "@stepwise/db";
import { z } from "zod";
import { Id } from "../services/teach-schemas";
import { authedProcedure, courseProcedure, createTRPCRouter } from "../trpc";

const Email = z
  .string()
  .trim()
  .max(320)
  .pipe(z.email({ message: "Enter an e-mail address like name@example.org." }));
const Token = z.string().min(1).max(200).describe("The token from the invitation link");

/** The path of the page where the invitee accepts. */
const linkOf = (token: string) => `/invite?token=${encodeURIComponent(token)}`;

/**
 * Co-teaching by consent: an instructor of a course invites an e-mail address; the signed-in owner
 * of that address accepts on the invitation page, and only then teaches the course.
 */
export const invitationRouter = createTRPCRouter({
  /**
   * Instructors of the course invite someone to co-teach it. The link is returned once, for the
   * inviter to send (and written to the log in development, like password-reset links).
   */
  create: courseProcedure.instructor.input(z.object({ courseId: Id, email: Email }).strict()).mutation(async ({ ctx, input }) => {
    const { token, invitation } = await createInvitation(ctx.db, {
      courseId: input.courseId,
      email: input.email,
      invitedBy: ctx.user.id,
      now: ctx.now(),
    });
    if (ctx.config.logResetLinks) console.info(`Invitation to co-teach course ${input.courseId} for ${invitation.email}: ${linkOf(token)}`);
    return { invitation, link: linkOf(token) };
  }),

  /** Instructors of the course: the invitations not yet accepted, revoked or expired. */
  pending: courseProcedure.instructor.input(z.object({ courseId: Id }).strict()).query(async ({ ctx, input }) => {
    return pendingInvitations(ctx.db, input.courseId, ctx.now());
  }),

  /** Instructors of the course withdraw a pending invitation; its link stops working. */
  revoke: courseProcedure.instructor.input(z.object({ courseId: Id, invitationId: Id }).strict()).mutation(async ({ ctx, input }) => {
    await revokeInvitation(ctx.db, { courseId: input.courseId, invitationId: input.invitationId, now: ctx.now() });
    return { revoked: input.invitationId };
  }),

  /** Any signed-in holder of the link: which course it invites to, for whom, and whether it can still be accepted. */
  byToken: authedProcedure.input(z.object({ token: Token }).strict()).query(async ({ ctx, input }) => {
    const invitation = await invitationByToken(ctx.db, input.token, ctx.now());
    if (!invitation) throw new NotFoundError("This invitation link is not valid: it was copied incompletely or never issued.");
    return { ...invitation, forCaller: invitation.email === normalizeEmail(ctx.user.email) };
  }),

  /** The signed-in invitee accepts (their account's e-mail must be the invited one) and becomes an instructor of the course. */
  accept: authedProcedure.input(z.object({ token: Token }).strict()).mutation(async ({ ctx, input }) => {
    const member = await acceptInvitation(ctx.db, { token: input.token, userId: ctx.user.id, now: ctx.now() });
    return { courseId: member.courseId };
  }),
});
