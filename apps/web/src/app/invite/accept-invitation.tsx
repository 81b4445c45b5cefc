"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "~/trpc/react";

/** The invitation behind a link, and the button that accepts it when it is the signed-in user's. */
export function AcceptInvitation({ token, signedInAs }: { token: string; signedInAs: string }) {
  const trpc = useTRPC();
  const invitation = useQuery(trpc.invitation.byToken.queryOptions({ token }, { retry: false }));
  const accept = useMutation(trpc.invitation.accept.mutationOptions());

  if (invitation.isPending) return <p className="muted">Loading the invitation…</p>;
  if (invitation.error) {
    return (
      <p role="alert" className="error-box">
        {invitation.error.message}
      </p>
    );
  }
  const { courseTitle, email, refusal, forCaller } = invitation.data;
  if (accept.isSuccess) {
    return (
      <p role="status">
        You now teach <strong>{courseTitle}</strong>. <Link href={`/teach/${accept.data.courseId}`}>Open its settings</Link>
      </p>
    );
  }
  if (refusal !== null) {
    return (
      <p role="alert" className="error-box">
        {refusal}
      </p>
    );
  }
  if (!forCaller) {
    return (
      <p role="alert" className="error-box">
        This invitation was sent to {email}, and you are signed in as {signedInAs}. Sign out and sign in as {email} to accept it.
      </p>
    );
  }
  return (
    <div className="stack">
      <p>
        You are invited to co-teach <strong>{courseTitle}</strong>: you will see its gradebook, submissions and settings, and change them.
      </p>
      {accept.error && (
        <p role="alert" className="error-box">
          {accept.error.message}
        </p>
      )}
      <div className="actions">
        <button type="button" disabled={accept.isPending} onClick={() => accept.mutate({ token })}>
          {accept.isPending ? "Accepting…" : "Accept and co-teach"}
        </button>
      </div>
    </div>
  );
}
