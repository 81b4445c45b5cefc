import type { TRPCLink } from "@trpc/client";
import { observable } from "@trpc/server/observable";
import { reportSessionExpired } from "~/lib/session-state";
import type { AppRouter } from "~/server/root";

/**
 * Watches every answer: an UNAUTHORIZED one outside `auth.*` (where it means a wrong password, not a
 * lapsed session) marks the session expired, whichever call made it — a query, a mutation, a draft save.
 */
export const sessionLink: TRPCLink<AppRouter> = () => {
  return ({ op, next }) =>
    observable((observer) =>
      next(op).subscribe({
        next: (value) => observer.next(value),
        error: (error) => {
          if (error.data?.code === "UNAUTHORIZED" && !op.path.startsWith("auth.")) reportSessionExpired();
          observer.error(error);
        },
        complete: () => observer.complete(),
      }),
    );
};
