import type { Metadata } from "next";
import Link from "next/link";
import { api } from "~/trpc/server";
import { AcceptInvitation } from "./accept-invitation";

export const metadata: Metadata = { title: "Invitation to co-teach" };

/**
 * Where an invitation link lands. The invitee must be signed in with the invited address; the page
 * says so rather than redirecting, so the link still works after they sign in or sign up.
 */
export default async function InvitePage({ searchParams }: { searchParams: Promise<{ token?: string }> }) {
  const { token } = await searchParams;
  const caller = await api();
  const me = await caller.auth.me();
  return (
    <section className="card" style={{ maxWidth: 520, margin: "2rem auto" }}>
      <h1>Invitation to co-teach</h1>
      {!token ? (
        <p role="alert" className="error-box">
          This link has no invitation in it; open the whole link you were sent.
        </p>
      ) : !me ? (
        <p>
          <Link href="/signin">Sign in</Link> (or <Link href="/signup">sign up</Link>) with the address this invitation was sent to, then
          open this link again.
        </p>
      ) : (
        <AcceptInvitation token={token} signedInAs={me.email} />
      )}
    </section>
  );
}
