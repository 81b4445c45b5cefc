import {
  changePassword,
  createPasswordReset,
  deleteUserSession,
  resetPassword,
  rehashLegacyPassword,
  sessionsOfUser,
  userByEmail,
  userById,
  type User,
} from "@stepwise/db";
import { TRPCError } from "@trpc/server";
import { isAPIError } from "better-auth/api";
import { z } from "zod";
import { authFor, CLIENT_IP_HEADER, PASSWORD_MAX, PASSWORD_MIN, authSecretOf } from "../auth";
import { countAttempt, forgiveSignIn, signUpRules, throttleSignIn } from "../services/auth-limits";
import { signSessionToken } from "../session";
import { authedProcedure, createTRPCRouter, publicProcedure, type Context } from "../trpc";

export { PASSWORD_MAX, PASSWORD_MIN };

const Email = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email({ message: "Enter an email address like name@example.com." }));

const NewPassword = z
  .string()
  .min(PASSWORD_MIN, { message: `Choose a password of at least ${PASSWORD_MIN} characters.` })
  .max(PASSWORD_MAX, { message: `Passwords are limited to ${PASSWORD_MAX} characters.` });

export const SignUpInput = z
  .object({
    name: z
      .string()
      .trim()
      .min(1, { message: "Enter your name." })
      .max(100, { message: "Names are limited to 100 characters." })
      .describe("Your name, as instructors see it"),
    email: Email.describe("The e-mail address you sign in with"),
    password: NewPassword.describe(`A password of ${PASSWORD_MIN} to ${PASSWORD_MAX} characters`),
    confirm: z.string().max(PASSWORD_MAX).describe("The same password again"),
  })
  .strict()
  .refine((input) => input.password === input.confirm, { message: "The two passwords do not match.", path: ["confirm"] });

export const ChangePasswordInput = z
  .object({
    currentPassword: z
      .string()
      .min(1, { message: "Enter your current password." })
      .max(PASSWORD_MAX)
      .describe("The password you signed in with"),
    password: NewPassword.describe(`The new password, ${PASSWORD_MIN} to ${PASSWORD_MAX} characters`),
    confirm: z.string().max(PASSWORD_MAX).describe("The new password again"),
  })
  .strict()
  .refine((input) => input.password === input.confirm, { message: "The two passwords do not match.", path: ["confirm"] });

/** How long a password-reset link works, ms. */
export const PASSWORD_RESET_TTL_MS = 3_600_000;

export const ResetPasswordInput = z
  .object({
    token: z.string().min(1).max(200).describe("The token from the reset link"),
    password: NewPassword.describe(`The new password, ${PASSWORD_MIN} to ${PASSWORD_MAX} characters`),
    confirm: z.string().max(PASSWORD_MAX).describe("The new password again"),
  })
  .strict()
  .refine((input) => input.password === input.confirm, { message: "The two passwords do not match.", path: ["confirm"] });

const WRONG_CREDENTIALS = "Wrong email or password.";
const EMAIL_TAKEN = "An account with this email already exists. Sign in instead, or use another email.";

function auth(ctx: Context) {
  return authFor(ctx.db, ctx.config, ctx.secureCookies);
}

/** Request headers for `auth.api.*`: the client IP we decided (`http.ts`), and the session cookie if any. */
async function authHeaders(ctx: Context): Promise<Headers> {
  const headers = new Headers();
  if (ctx.clientIp) headers.set(CLIENT_IP_HEADER, ctx.clientIp);
  if (ctx.sessionToken) {
    const { authCookies } = await auth(ctx).$context;
    headers.set("cookie", `${authCookies.sessionToken.name}=${await signSessionToken(ctx.sessionToken, authSecretOf(ctx.config))}`);
  }
  return headers;
}

/** Passes better-auth's cookies (set or cleared) on to the response. */
function forwardCookies(ctx: Context, headers: Headers): void {
  for (const cookie of headers.getSetCookie()) ctx.resHeaders.append("Set-Cookie", cookie);
}

function betterAuthCode(error: unknown): string | null {
  if (!isAPIError(error)) return null;
  const body: unknown = error.body;
  return typeof body === "object" && body !== null && "code" in body && typeof body.code === "string" ? body.code : null;
}

async function signedIn(db: Context["db"], userId: string) {
  const user: User | null = await userById(db, userId);
  if (!user) throw new Error(`better-auth signed in user ${userId}, which is not in the users table`);
  return { user: { id: user.id, name: user.name, email: user.email, role: user.role } };
}

export const authRouter = createTRPCRouter({
  signIn: publicProcedure
    .input(
      z
        .object({
          email: Email.describe("The e-mail address you signed up with"),
          password: z.string().min(1, { message: "Enter your password." }).max(PASSWORD_MAX).describe("Your password"),
        })
        .strict(),
    )
    .mutation(async ({ ctx, input }) => {
      await throttleSignIn(ctx.db, ctx.config.authLimits, input.email, ctx.clientIp, ctx.now());
      let result;
      try {
        result = await auth(ctx).api.signInEmail({
          body: { email: input.email, password: input.password },
          headers: await authHeaders(ctx),
          returnHeaders: true,
        });
      } catch (error) {
        // One message for a wrong password and an unknown e-mail (better-auth hashes the password
        // for an unknown one too), so the form does not reveal which e-mails have accounts.
        if (betterAuthCode(error) === "INVALID_EMAIL_OR_PASSWORD")
          throw new TRPCError({ code: "UNAUTHORIZED", message: WRONG_CREDENTIALS });
        throw error;
      }
      await forgiveSignIn(ctx.db, input.email, ctx.clientIp);
      // Hashes from before better-auth are replaced by its own now that the password is known.
      await rehashLegacyPassword(ctx.db, result.response.user.id, input.password, ctx.now());
      forwardCookies(ctx, result.headers);
      return signedIn(ctx.db, result.response.user.id);
    }),

  /** Creates a student account and signs it in. Instructors are made by an admin, never here. */
  signUp: publicProcedure.input(SignUpInput).mutation(async ({ ctx, input }) => {
    await countAttempt(ctx.db, signUpRules(ctx.config.authLimits, input.email, ctx.clientIp), ctx.config.authLimits, ctx.now());
    let result;
    try {
      // `role` is a better-auth field sign-up input can never set (`input: false`): new users are students.
      result = await auth(ctx).api.signUpEmail({
        body: { name: input.name, email: input.email, password: input.password },
        headers: await authHeaders(ctx),
        returnHeaders: true,
      });
    } catch (error) {
      // Sign-up inherently reveals that an address is taken; say so plainly and nothing more.
      const code = betterAuthCode(error);
      if (code?.startsWith("USER_ALREADY_EXISTS")) throw new TRPCError({ code: "CONFLICT", message: EMAIL_TAKEN });
      // Two sign-ups with one address at once: the unique index refuses the second insert.
      if (code === "FAILED_TO_CREATE_USER" && (await userByEmail(ctx.db, input.email)))
        throw new TRPCError({ code: "CONFLICT", message: EMAIL_TAKEN });
      throw error;
    }
    forwardCookies(ctx, result.headers);
    return signedIn(ctx.db, result.response.user.id);
  }),

  /** Deletes the session row and clears the cookie (better-auth does both). */
  signOut: publicProcedure.mutation(async ({ ctx }) => {
    const { headers } = await auth(ctx).api.signOut({ headers: await authHeaders(ctx), returnHeaders: true });
    forwardCookies(ctx, headers);
    return { ok: true as const };
  }),

  /**
   * Changes the caller's password (the current one first) and signs out every other session:
   * whoever knew the old password is out. Done on our own tables with the injected clock; the hash
   * is better-auth's (`authPasswords`).
   */
  changePassword: authedProcedure.input(ChangePasswordInput).mutation(async ({ ctx, input }) => {
    const token = ctx.sessionToken;
    if (!token) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue." });
    // A stolen session must not become a way to guess the current password at speed.
    await countAttempt(
      ctx.db,
      [{ action: "signin", scope: "user", value: ctx.user.id, max: ctx.config.authLimits.signInPerEmail }],
      ctx.config.authLimits,
      ctx.now(),
    );
    const changed = await changePassword(ctx.db, {
      userId: ctx.user.id,
      current: input.currentPassword,
      next: input.password,
      keepToken: token,
      now: ctx.now(),
    });
    if (!changed) throw new TRPCError({ code: "UNAUTHORIZED", message: "Your current password is wrong." });
    return { ok: true as const };
  }),

  /** The caller's signed-in sessions (devices), newest first; never their tokens. */
  sessions: authedProcedure.query(async ({ ctx }) =>
    (await sessionsOfUser(ctx.db, ctx.user.id, ctx.now())).map(({ token, ...session }) => ({
      ...session,
      current: token === ctx.sessionToken,
    })),
  ),

  /** Signs one of the caller's sessions out (another device, or this one). */
  revokeSession: authedProcedure
    .input(z.object({ sessionId: z.string().min(1).max(100).describe("The id from auth.sessions") }).strict())
    .mutation(async ({ ctx, input }) => {
      if (!(await deleteUserSession(ctx.db, ctx.user.id, input.sessionId)))
        throw new TRPCError({ code: "NOT_FOUND", message: `You have no session with id "${input.sessionId}".` });
      return { ok: true as const };
    }),

  /**
   * Starts a password reset: a one-time link valid for an hour, for the operator to deliver (in
   * development it is written to the server log). The answer is the same whether or not the e-mail
   * has an account.
   */
  requestPasswordReset: publicProcedure
    .input(z.object({ email: Email.describe("The e-mail address you signed up with") }).strict())
    .mutation(async ({ ctx, input }) => {
      await countAttempt(
        ctx.db,
        signUpRules(ctx.config.authLimits, `reset:${input.email}`, ctx.clientIp),
        ctx.config.authLimits,
        ctx.now(),
      );
      const reset = await createPasswordReset(ctx.db, { email: input.email, now: ctx.now(), ttlMs: PASSWORD_RESET_TTL_MS });
      if (reset && ctx.config.logResetLinks) console.info(`Password reset for ${input.email}: /reset-password?token=${reset.token}`);
      else if (reset)
        console.info(
          `Password reset requested for ${input.email}; make a link with \`pnpm --filter @stepwise/web reset-link ${input.email}\`.`,
        );
      return { ok: true as const };
    }),

  /** Sets a new password with a reset token, once; every session of the account ends. */
  resetPassword: publicProcedure.input(ResetPasswordInput).mutation(async ({ ctx, input }) => {
    if (!(await resetPassword(ctx.db, { token: input.token, next: input.password, now: ctx.now() }))) {
      throw new TRPCError({
        code: "BAD_REQUEST",
        message: "This reset link is not valid: it was used already, has expired, or was copied incompletely. Ask for a new one.",
      });
    }
    return { ok: true as const };
  }),

  me: publicProcedure.query(({ ctx }) =>
    ctx.user ? { id: ctx.user.id, name: ctx.user.name, email: ctx.user.email, role: ctx.user.role } : null,
  ),
});
