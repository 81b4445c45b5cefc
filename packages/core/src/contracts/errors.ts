/**
 * Named domain errors. Routers map them to tRPC codes; the grader maps them to verdicts.
 * Messages say what was expected and what came: "Dense `units` must be ≤ 4096, got 1000000."
 */
export class StepwiseError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The submission itself is wrong (bad JSON, unknown layer, over budget). Costs no attempt. */
export class ValidationError extends StepwiseError {
  constructor(
    message: string,
    /** JSON path of the offending value, e.g. `config.layers[2].config.units`. */
    readonly path: string = "",
  ) {
    super(message, "VALIDATION");
  }
}

export class BudgetError extends StepwiseError {
  constructor(message: string) {
    super(message, "BUDGET");
  }
}

export class NotFoundError extends StepwiseError {
  constructor(message: string) {
    super(message, "NOT_FOUND");
  }
}

export class ForbiddenError extends StepwiseError {
  constructor(message: string) {
    super(message, "FORBIDDEN");
  }
}

export class RateLimitError extends StepwiseError {
  constructor(message: string) {
    super(message, "RATE_LIMIT");
  }
}

export class PreconditionError extends StepwiseError {
  constructor(message: string) {
    super(message, "PRECONDITION");
  }
}
