import { PreconditionError } from "@stepwise/core/contracts";
import { createSession, createUser, deleteSession, verifyPassword, type User } from "@stepwise/db";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { countAttempt, forgiveSignIn, signInRules, signUpRules } from "../services/auth-limits";
import { clearedSessionCookie, sessionCookie } from "../session";
import { createTRPCRouter, publicProcedure, type Context } from "../trpc";

/** The sign-up form's password rule; the form shows the same numbers. */
export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 200;

const Email = z.string().trim().toLowerCase().pipe(z.email({ message: "Enter an email address like name@example.com." }));

export const SignUpInput = z
  .object({
    name: z.string().trim().min(1, { message: "Enter your name." }).max(100, { message: "Names are limited to 100 characters." }),
    email: Email,
    password: z
      .string()
      .min(PASSWORD_MIN, { message: `Choose a password of at least ${PASSWORD_MIN} characters.` })
      .max(PASSWORD_MAX, { message: `Passwords are limited to ${PASSWORD_MAX} characters.` }),
    confirm: z.string().max(PASSWORD_MAX),
  })
  .strict()
  .refine((input) => input.password === input.confirm, { message: "The two passwords do not match.", path: ["confirm"] });

async function startSession(ctx: Context, user: User) {
  const session = await createSession(ctx.db, user.id, ctx.now(), ctx.config.sessionTtlMs);
  ctx.resHeaders.append("Set-Cookie", sessionCookie(session.token, { expiresAt: session.expiresAt, secure: ctx.secureCookies }));
  return { user: { id: user.id, name: user.name, email: user.email, role: user.role } };
}

export const authRouter = createTRPCRouter({
  signIn: publicProcedure
    .input(z.object({ email: Email, password: z.string().min(1, { message: "Enter your password." }).max(PASSWORD_MAX) }).strict())
    .mutation(async ({ ctx, input }) => {
      await countAttempt(ctx.db, signInRules(ctx.config.authLimits, input.email, ctx.clientIp), ctx.config.authLimits, ctx.now());
      const user = await verifyPassword(ctx.db, input.email, input.password);
      // One message for both cases so the form does not reveal which emails have accounts.
      if (!user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Wrong email or password." });
      await forgiveSignIn(ctx.db, input.email);
      return startSession(ctx, user);
    }),

  /** Creates a student account and signs it in. Instructors are made by an admin, never here. */
  signUp: publicProcedure.input(SignUpInput).mutation(async ({ ctx, input }) => {
    await countAttempt(ctx.db, signUpRules(ctx.config.authLimits, input.email, ctx.clientIp), ctx.config.authLimits, ctx.now());
    let user: User;
    try {
      user = await createUser(ctx.db, { email: input.email, name: input.name, role: "student", password: input.password }, ctx.now());
    } catch (error) {
      // Sign-up inherently reveals that an address is taken; say so plainly and nothing more.
      if (error instanceof PreconditionError) {
        throw new TRPCError({ code: "CONFLICT", message: "An account with this email already exists. Sign in instead, or use another email." });
      }
      throw error;
    }
    return startSession(ctx, user);
  }),

  signOut: publicProcedure.mutation(async ({ ctx }) => {
    if (ctx.sessionToken) await deleteSession(ctx.db, ctx.sessionToken);
    ctx.resHeaders.append("Set-Cookie", clearedSessionCookie(ctx.secureCookies));
    return { ok: true as const };
  }),

  me: publicProcedure.query(({ ctx }) =>
    ctx.user ? { id: ctx.user.id, name: ctx.user.name, email: ctx.user.email, role: ctx.user.role } : null,
  ),
});
