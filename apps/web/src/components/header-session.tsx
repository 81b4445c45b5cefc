"use client";

import { usePathname } from "next/navigation";
import type { ReactNode } from "react";
import { signInHref } from "~/lib/return-to";
import { useSessionExpired } from "~/lib/session-state";

/** The signed-in part of the header, replaced by a sign-in link once the session is found expired. */
export function HeaderSession({ children }: { children: ReactNode }) {
  const expired = useSessionExpired();
  const pathname = usePathname();
  if (!expired) return <>{children}</>;
  return (
    <a href={signInHref(pathname)} data-testid="header-signin">
      Sign in
    </a>
  );
}
