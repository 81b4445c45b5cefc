import { forbidden } from "next/navigation";
import type { ReactNode } from "react";
import { requireUser } from "~/trpc/guard";

/**
 * Every teaching page: signed-out visitors sign in and come back; a student account gets a 403 that
 * says why (the role is theirs to know; which courses exist is not, so per-course refusals stay 404).
 */
export default async function TeachLayout({ children }: { children: ReactNode }) {
  const { me } = await requireUser();
  if (me.role === "student") forbidden();
  return <>{children}</>;
}
