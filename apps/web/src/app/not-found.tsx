import type { Metadata } from "next";
import Link from "next/link";
import { api } from "~/trpc/server";

export const metadata: Metadata = { title: "Page not found" };

/** Any unknown URL, and any course or assignment the viewer may not see (ids are not revealed). */
export default async function NotFound() {
  const me = await (await api()).auth.me();
  return (
    <section className="card error-page" aria-labelledby="not-found-heading" data-testid="not-found">
      <p className="error-code">404</p>
      <h1 id="not-found-heading">Page not found</h1>
      <p>This page does not exist, or it belongs to a course you are not part of. Check the link, or go back to where you were.</p>
      <nav aria-label="Ways back" className="actions">
        {me ? <Link href="/courses">My courses</Link> : <Link href="/">Home</Link>}
        {!me && <Link href="/signin">Sign in</Link>}
      </nav>
    </section>
  );
}
