"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useEffect, useRef } from "react";
import { SignInForm } from "~/app/signin/sign-in-form";
import { signInHref } from "~/lib/return-to";
import { reportSessionRestored, useSessionExpired } from "~/lib/session-state";

/**
 * When a request finds the session gone, a modal dialog asks to sign in again right here: the page
 * and everything typed into it stay, and pending draft saves are retried afterwards. The link
 * signs in on its own page and comes back to this one.
 */
export function SessionExpiredDialog() {
  const expired = useSessionExpired();
  const ref = useRef<HTMLDialogElement>(null);
  const router = useRouter();
  const pathname = usePathname();
  const search = useSearchParams().toString();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (expired && !dialog.open) dialog.showModal();
    if (!expired && dialog.open) dialog.close();
  }, [expired]);
  const here = `${pathname}${search ? `?${search}` : ""}`;
  return (
    <dialog ref={ref} className="session-dialog card" aria-labelledby="session-dialog-heading" data-testid="session-expired">
      <h2 id="session-dialog-heading" style={{ marginTop: 0 }}>
        Your session has ended
      </h2>
      <p>Sign in again to carry on. This page stays as it is, including anything you typed.</p>
      {expired && (
        <SignInForm
          onSignedIn={() => {
            reportSessionRestored();
            router.refresh();
          }}
        />
      )}
      <p className="small" style={{ marginBottom: 0 }}>
        <a href={signInHref(here)}>Sign in on the sign-in page</a> and come back here.
      </p>
    </dialog>
  );
}
