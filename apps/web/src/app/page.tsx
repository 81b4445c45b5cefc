import Link from "next/link";
import { redirect } from "next/navigation";
import { STEPS } from "@stepwise/core/workflow";
import { api } from "~/trpc/server";

export default async function LandingPage() {
  const me = await (await api()).auth.me();
  if (me) redirect("/courses");
  return (
    <>
      <section className="card">
        <h1>Learn the workflow of machine learning, step by step</h1>
        <p className="lede">
          Stepwise walks you through the seven steps every machine-learning project follows. You write a TensorFlow.js model in your
          browser; the grader retrains it from scratch on a hidden test set and tells you — with learning curves, confidence intervals and
          diagnostics — whether it really did the job.
        </p>
        <p>
          <Link className="button" href="/signin">
            Sign in
          </Link>
        </p>
      </section>
      <section className="card">
        <h2>The seven steps</h2>
        <ol>
          {STEPS.map((step) => (
            <li key={step.id}>{step.title}</li>
          ))}
        </ol>
      </section>
    </>
  );
}
