import Link from "next/link";
import { api } from "~/trpc/server";
import { HeaderSession } from "./header-session";
import { SignOutButton } from "./sign-out-button";

export async function SiteHeader() {
  const me = await (await api()).auth.me();
  return (
    <header className="site-header">
      <Link href={me ? "/courses" : "/"} className="brand">
        Step<span>wise</span>
      </Link>
      <nav aria-label="Account" className="header-user">
        {me ? (
          <HeaderSession>
            <Link href="/courses">My courses</Link>
            {me.role !== "student" && <Link href="/teach">Teach</Link>}
            <Link href="/account" title="Account: password and signed-in devices">
              <span data-testid="user-name">{me.name}</span>
            </Link>
            <SignOutButton />
          </HeaderSession>
        ) : (
          <>
            <Link href="/signin">Sign in</Link>
            <Link href="/signup">Sign up</Link>
          </>
        )}
      </nav>
    </header>
  );
}
