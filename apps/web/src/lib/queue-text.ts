/** "1st", "2nd", "3rd", "11th", "22nd" */
export function ordinal(n: number): string {
  const tens = n % 100;
  return `${n}${tens >= 11 && tens <= 13 ? "th" : (["th", "st", "nd", "rd"][n % 10] ?? "th")}`;
}

/** "~40 s", "~3 min": rough, as an estimate should read. */
export function roughly(seconds: number): string {
  if (seconds < 5) return "starting any moment";
  if (seconds < 120) return `~${Math.round(seconds / 5) * 5} s`;
  return `~${Math.round(seconds / 60)} min`;
}

/**
 * A queued job's standing in the student's words: "Queued: 3rd in queue, ~40 s". `position` counts
 * the jobs ahead (0 = next); the wait is left out when there is no estimate yet.
 */
export function queueText(position: number | null, waitSeconds: number | null): string {
  if (position === null) return "Queued";
  const place = position === 0 ? "next in queue" : `${ordinal(position + 1)} in queue`;
  return waitSeconds === null ? `Queued: ${place}` : `Queued: ${place}, ${roughly(waitSeconds)}`;
}
