import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { api } from "~/trpc/server";
import { AccountForms } from "./account-forms";

export const metadata: Metadata = { title: "Account" };

export default async function AccountPage() {
  const me = await (await api()).auth.me();
  if (!me) redirect("/signin");
  return (
    <section className="card" style={{ maxWidth: 640, margin: "2rem auto" }}>
      <h1>Account</h1>
      <p className="muted">
        {me.name} · {me.email}
      </p>
      <AccountForms />
    </section>
  );
}
