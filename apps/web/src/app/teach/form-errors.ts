/**
 * Field messages from a tRPC error, keyed by input path (`overrides.budgets.maxEpochs`). Zod input
 * errors arrive as one `path: message` line per issue (see `server/errors.ts`); domain errors about
 * one field use the same form. Lines without a path are returned as `general`.
 */
export function pathErrors(error: { message: string } | null | undefined): { fields: Record<string, string>; general: string | null } {
  if (!error) return { fields: {}, general: null };
  const fields: Record<string, string> = {};
  const rest: string[] = [];
  for (const line of error.message.split("\n")) {
    const match = /^([A-Za-z][\w-]*(?:\.[\w-]+)*): (.+)$/.exec(line.trim());
    // A domain error's first letter is capitalized as a sentence; paths start lower-case.
    const path = match?.[1] ? match[1].charAt(0).toLowerCase() + match[1].slice(1) : null;
    if (path && match?.[2] && !(path in fields)) fields[path] = match[2];
    else if (line.trim()) rest.push(line.trim());
  }
  return { fields, general: rest.length > 0 ? rest.join("\n") : null };
}

/** `<input type="datetime-local">` value (read as UTC, like every date the instructor pages show) ↔ ms. */
export function utcInputValue(ms: number | null): string {
  return ms === null ? "" : new Date(ms).toISOString().slice(0, 16);
}

export function fromUtcInput(value: string): number | null {
  if (value.trim() === "") return null;
  const ms = Date.parse(`${value}Z`);
  return Number.isNaN(ms) ? null : ms;
}
