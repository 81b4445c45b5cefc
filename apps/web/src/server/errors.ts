import { TRPCError, type TRPC_ERROR_CODE_KEY } from "@trpc/server";
import {
  BudgetError,
  ForbiddenError,
  NotFoundError,
  PreconditionError,
  RateLimitError,
  StepwiseError,
  ValidationError,
} from "@stepwise/core/contracts";
import { ZodError } from "zod";

/** Domain errors (thrown by core, db and our own services) → tRPC codes. */
export function codeForDomainError(error: StepwiseError): TRPC_ERROR_CODE_KEY {
  if (error instanceof ValidationError || error instanceof BudgetError) return "BAD_REQUEST";
  if (error instanceof ForbiddenError) return "FORBIDDEN";
  if (error instanceof NotFoundError) return "NOT_FOUND";
  if (error instanceof RateLimitError) return "TOO_MANY_REQUESTS";
  if (error instanceof PreconditionError) return "PRECONDITION_FAILED";
  return "BAD_REQUEST";
}

/** Core writes messages as clauses ("the model has …"); the student reads them as sentences. */
function sentence(message: string): string {
  const text = message.charAt(0).toUpperCase() + message.slice(1);
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

/**
 * Turns whatever a resolver threw into the TRPCError the caller sees. Domain errors keep their
 * message (it is written for the student); zod errors become a readable list; anything else is
 * an internal error whose message is replaced so file paths and SQL never leave the server.
 */
export function toTRPCError(error: unknown): TRPCError {
  const cause = error instanceof TRPCError && error.cause ? error.cause : error;
  if (cause instanceof StepwiseError) {
    return new TRPCError({ code: codeForDomainError(cause), message: sentence(cause.message), cause });
  }
  if (cause instanceof ZodError) {
    const message = cause.issues
      .map((issue) => (issue.path.length ? `${issue.path.join(".")}: ${issue.message}` : issue.message))
      .join("\n");
    return new TRPCError({ code: "BAD_REQUEST", message, cause });
  }
  if (error instanceof TRPCError) return error;
  return new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: "Something went wrong on our side; please try again.", cause: error });
}
