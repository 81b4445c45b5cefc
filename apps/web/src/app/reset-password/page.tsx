import type { Metadata } from "next";
import { ResetPasswordForm } from "./reset-form";

export const metadata: Metadata = { title: "Reset password" };

export default async function ResetPasswordPage({ searchParams }: { searchParams: Promise<{ token?: string }> }) {
  const { token } = await searchParams;
  return (
    <section className="card" style={{ maxWidth: 440, margin: "2rem auto" }}>
      <h1>Reset password</h1>
      <ResetPasswordForm token={token ?? null} />
    </section>
  );
}
