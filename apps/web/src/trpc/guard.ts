import { TRPCError } from "@trpc/server";
import { headers } from "next/headers";
import { notFound, redirect } from "next/navigation";
import { PATH_HEADER, signInHref } from "~/lib/return-to";
import { api } from "./server";

/** To sign in, and back to this page afterwards (the path the proxy recorded). */
async function toSignIn(): Promise<never> {
  redirect(signInHref((await headers()).get(PATH_HEADER)));
}

/** The signed-in user, or a redirect to sign in that returns here. */
export async function requireUser() {
  const caller = await api();
  const me = await caller.auth.me();
  if (!me) return toSignIn();
  return { me, caller };
}

/**
 * Runs a server-side procedure call for a page. Missing and forbidden both render 404, so the
 * page does not reveal which ids exist; a lapsed session goes back to sign-in.
 */
export async function load<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof TRPCError) {
      if (error.code === "UNAUTHORIZED") await toSignIn();
      if (error.code === "NOT_FOUND" || error.code === "FORBIDDEN" || error.code === "BAD_REQUEST") notFound();
    }
    throw error;
  }
}
