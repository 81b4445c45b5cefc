/** Request header the proxy sets to the page's path and query, for the sign-in redirect. */
export const PATH_HEADER = "x-stepwise-path";

/**
 * Where to go back to after signing in: a path on this site only. Anything that could leave the
 * origin — an absolute URL, a protocol-relative `//host`, a backslash that browsers read as a slash,
 * control characters — is refused (null), so `?next=` cannot become an open redirect.
 */
export function safeReturnPath(raw: string | null | undefined): string | null {
  if (typeof raw !== "string" || raw.length === 0 || raw.length > 2000) return null;
  if (!raw.startsWith("/") || raw.startsWith("//") || raw.includes("\\")) return null;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f]/.test(raw)) return null;
  const base = "http://stepwise.invalid";
  let url: URL;
  try {
    url = new URL(raw, base);
  } catch {
    return null;
  }
  if (url.origin !== base) return null;
  // Signing in again must not send the user back to the sign-in page.
  if (url.pathname === "/signin" || url.pathname.startsWith("/api/")) return null;
  return `${url.pathname}${url.search}${url.hash}`;
}

/** The sign-in page that returns to `path` afterwards. */
export function signInHref(path: string | null | undefined): string {
  const next = safeReturnPath(path);
  return next === null ? "/signin" : `/signin?next=${encodeURIComponent(next)}`;
}
