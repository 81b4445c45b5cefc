/**
 * Field messages from a tRPC error whose cause was a zod error (the error formatter puts
 * `z.flattenError` in `data.zodError`). Unknown shapes give no field messages.
 */
export function fieldErrors(error: unknown): Record<string, string> {
  if (typeof error !== "object" || error === null || !("data" in error)) return {};
  const data = (error as { data?: { zodError?: { fieldErrors?: Record<string, string[] | undefined> } | null } }).data;
  const out: Record<string, string> = {};
  for (const [field, messages] of Object.entries(data?.zodError?.fieldErrors ?? {})) {
    const first = messages?.[0];
    if (first) out[field] = first;
  }
  return out;
}
