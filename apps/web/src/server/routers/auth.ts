import { createSession, deleteSession, verifyPassword } from "@stepwise/db";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { clearedSessionCookie, sessionCookie } from "../session";
import { createTRPCRouter, publicProcedure } from "../trpc";

export const authRouter = createTRPCRouter({
  signIn: publicProcedure
    .input(
      z
        .object({
          email: z.string().trim().toLowerCase().pipe(z.email({ message: "Enter an email address like name@example.com." })),
          password: z.string().min(1, { message: "Enter your password." }).max(200),
        })
        .strict(),
    )
    .mutation(async ({ ctx, input }) => {
      const user = await verifyPassword(ctx.db, input.email, input.password);
      // One message for both cases so the form does not reveal which emails have accounts.
      if (!user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Wrong email or password." });
      const session = await createSession(ctx.db, user.id, ctx.now(), ctx.config.sessionTtlMs);
      ctx.resHeaders.append("Set-Cookie", sessionCookie(session.token, { expiresAt: session.expiresAt, secure: ctx.secureCookies }));
      return { user: { id: user.id, name: user.name, email: user.email, role: user.role } };
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
