import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { env } from "~/env";
import { safeReturnPath } from "~/lib/return-to";
import { DEMO } from "~/server/seed";
import { api } from "~/trpc/server";
import { SignInForm } from "./sign-in-form";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string | string[] }> }) {
  const raw = (await searchParams).next;
  const next = safeReturnPath(typeof raw === "string" ? raw : null);
  const me = await (await api()).auth.me();
  if (me) redirect(next ?? "/courses");
  const demo = env().STEPWISE_DEMO;
  return (
    <section className="card" style={{ maxWidth: 440, margin: "2rem auto" }}>
      <h1>Sign in</h1>
      {next && (
        <p className="note" data-testid="signin-return">
          Sign in to continue: you will be taken back to the page you were on. Work in progress on a step is kept as a draft.
        </p>
      )}
      <SignInForm next={next} />
      <p className="muted" style={{ marginTop: "1rem" }}>
        New here? <Link href="/signup">Create a student account</Link> · <Link href="/reset-password">Forgot your password?</Link>
      </p>
      {demo && (
        <div className="note" style={{ marginTop: "1rem" }} data-testid="demo-credentials">
          <strong>Demo accounts</strong>
          <ul style={{ margin: "0.3rem 0 0", paddingLeft: "1.2rem" }}>
            <li>
              Student: <code>{DEMO.student.email}</code> / <code>{DEMO.student.password}</code>
            </li>
            <li>
              Instructor: <code>{DEMO.instructor.email}</code> / <code>{DEMO.instructor.password}</code>
            </li>
          </ul>
        </div>
      )}
    </section>
  );
}
