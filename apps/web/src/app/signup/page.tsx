import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { PASSWORD_MIN } from "~/server/routers/auth";
import { api } from "~/trpc/server";
import { SignUpForm } from "./sign-up-form";

export const metadata: Metadata = { title: "Create an account" };

export default async function SignUpPage() {
  const me = await (await api()).auth.me();
  if (me) redirect("/courses");
  return (
    <section className="card" style={{ maxWidth: 440, margin: "2rem auto" }}>
      <h1>Create a student account</h1>
      <SignUpForm passwordMin={PASSWORD_MIN} />
      <p className="muted" style={{ marginTop: "1rem" }}>
        Already have an account? <Link href="/signin">Sign in</Link>
      </p>
    </section>
  );
}
