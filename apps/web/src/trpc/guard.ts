import { TRPCError } from "@trpc/server";
import { notFound, redirect } from "next/navigation";
import { api } from "./server";

/** The signed-in user, or a redirect to /signin. */
export async function requireUser() {
  const caller = await api();
  const me = await caller.auth.me();
  if (!me) redirect("/signin");
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
      if (error.code === "UNAUTHORIZED") redirect("/signin");
      if (error.code === "NOT_FOUND" || error.code === "FORBIDDEN" || error.code === "BAD_REQUEST") notFound();
    }
    throw error;
  }
}
