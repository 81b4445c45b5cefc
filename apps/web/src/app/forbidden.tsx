import type { Metadata } from "next";
import Link from "next/link";
import { api } from "~/trpc/server";

export const metadata: Metadata = { title: "Not allowed" };

/**
 * 403: the page exists but is not for this account. Reached through `forbidden()` — today the
 * instructor pages for a student account, which reveal nothing by existing.
 */
export default async function Forbidden() {
  const me = await (await api()).auth.me();
  return (
    <section className="card error-page" aria-labelledby="forbidden-heading" data-testid="forbidden">
      <p className="error-code">403</p>
      <h1 id="forbidden-heading">This page is for instructors</h1>
      <p>
        {me ? (
          <>
            You are signed in as <strong>{me.name}</strong>, a student account. Teaching pages (courses you teach, gradebooks, regrades) are
            only open to instructor accounts. If you should teach a course, ask its instructor to add you.
          </>
        ) : (
          "Sign in with an instructor account to open this page."
        )}
      </p>
      <nav aria-label="Ways back" className="actions">
        <Link href="/courses">My courses</Link>
        <Link href="/account">Account</Link>
      </nav>
    </section>
  );
}
