import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { join } from "node:path";
import type { SubmissionPayload, Verdict } from "@stepwise/core/contracts";
import { createAssignment, createCourse, createSession, latestJobForSubmission, verdictForJob } from "@stepwise/db";
import { solutions } from "@stepwise/exercises/solutions";
import { enrolledStudent, freshDb, signedSession, startGraders, startWeb, stopAll, type Service } from "../lib/platform";
import { fmt } from "../lib/stats";
import type { Section, Table } from "../lib/types";
import { ensureBuilt } from "./web";

/** A student's session against the running web app: tRPC over HTTP as the browser sends it (superjson envelope). */
class Client {
  constructor(
    private readonly base: string,
    private readonly cookie: string,
  ) {}

  query<T>(path: string, input: unknown): Promise<T> {
    const query = encodeURIComponent(JSON.stringify({ json: input }));
    return this.call<T>(path, fetch(`${this.base}/api/trpc/${path}?input=${query}`, { headers: { cookie: this.cookie } }));
  }

  mutate<T>(path: string, input: unknown): Promise<T> {
    return this.call<T>(
      path,
      fetch(`${this.base}/api/trpc/${path}`, {
        method: "POST",
        headers: { cookie: this.cookie, "content-type": "application/json" },
        body: JSON.stringify({ json: input }),
      }),
    );
  }

  private async call<T>(path: string, pending: Promise<Response>): Promise<T> {
    const response = await pending;
    const body = (await response.json()) as { result?: { data?: { json?: T } }; error?: { json?: { message?: string } } };
    if (!response.ok || body.result?.data === undefined)
      throw new Error(`${path} answered ${response.status}: ${body.error?.json?.message ?? JSON.stringify(body).slice(0, 300)}`);
    return body.result.data.json as T;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function reference(exerciseId: string): SubmissionPayload {
  const payload = solutions[exerciseId]?.reference;
  if (!payload) throw new Error(`expected a reference solution for ${exerciseId}, found none`);
  return payload;
}

/** Submits through `submission.create` and polls `submission.byId` each second, as the status page does, until the verdict. */
async function submitAndWait(client: Client, assignmentId: string, payload: SubmissionPayload, graders: Service[]) {
  const started = performance.now();
  const { submissionId } = await client.mutate<{ submissionId: string }>("submission.create", { assignmentId, payload });
  for (;;) {
    const view = await client.query<{ verdict: { status: string } | null; job: { status: string } | null }>("submission.byId", {
      submissionId,
    });
    if (view.verdict) return { submissionId, seconds: (performance.now() - started) / 1000, status: view.verdict.status };
    if (view.job?.status === "dead" || view.job?.status === "cancelled")
      throw new Error(`the grading job of ${submissionId} is ${view.job.status}`);
    if (graders.some((g) => g.child.exitCode !== null))
      throw new Error(`a grader exited: ${graders.map((g) => g.output().slice(-400)).join("\n")}`);
    await sleep(1_000);
  }
}

interface SearchCost {
  seconds: number;
  trainings: number;
  schedule: { trials: number; epochs: number }[];
  leftSeconds: number;
  fits: boolean;
}

interface TuningRun {
  status: string;
  chargedSeconds: number;
  estimateSeconds: number | null;
  failure: string | null;
  result: { selected?: unknown } | null;
}

const scheduleText = (schedule: { trials: number; epochs: number }[]) => schedule.map((r) => `${r.trials} × ${r.epochs} ep`).join(" → ");

/**
 * What a student waits for where the workflow is slowest, through the whole product: the built web app
 * under `next start`, one production grader (full data, warm-up on, calibration published), tRPC over
 * HTTP with a session cookie. MNIST step 6, then step 7 (which reuses the graded step-6 run when it
 * trains the same way), then the Tune form's own default search on the step-7 model, started as
 * proposed and charged against the assignment's default compute budget. One pass: the three take
 * several minutes of training between them.
 */
export const steps: Section = {
  name: "steps",
  title: "The slow steps through the web path: MNIST step 6, step 7 and a tuning search",
  async run(ctx) {
    const webDir = join(ctx.repoDir, "apps", "web");
    const build = ensureBuilt(ctx, webDir);
    const { db, url } = await freshDb(mkdtempSync(join(ctx.tmpDir, "steps-")));
    const now = Date.now();
    const course = await createCourse(db, { title: "Bench journey" }, now);
    const assignment = (exerciseId: string, position: number) =>
      createAssignment(
        db,
        { courseId: course.id, exerciseId, title: exerciseId, overrides: {}, deadline: null, attemptsAllowed: null, position },
        now,
      );
    const overfit = await assignment("mnist-overfit", 6);
    const regularize = await assignment("mnist-regularize", 7);
    const student = await enrolledStudent(db, course.id, 0, now);
    const secret = randomBytes(32).toString("base64url");
    const { token } = await createSession(db, student.id, now);
    const graders = await startGraders(ctx, url, 1);
    const services: Service[] = [...graders];
    try {
      const { server, base } = await startWeb(webDir, url, secret);
      services.push(server);
      const client = new Client(base, `stepwise_session=${signedSession(secret, token)}`);

      ctx.log("steps: MNIST step 6 reference through the web path");
      const six = await submitAndWait(client, overfit.id, reference("mnist-overfit"), graders);
      ctx.log(`steps: step 6 ${six.status} in ${fmt(six.seconds)} s; step 7 reference`);
      const seven = await submitAndWait(client, regularize.id, reference("mnist-regularize"), graders);
      const job = await latestJobForSubmission(db, seven.submissionId);
      const verdict: Verdict | null = job ? await verdictForJob(db, job.id) : null;
      const reused = verdict?.environment?.before ?? "not recorded";
      ctx.log(`steps: step 7 ${seven.status} in ${fmt(seven.seconds)} s (${reused}); the Tune form's default search`);

      const list = await client.query<{
        defaults: { search: unknown } | null;
        budget: { leftSeconds: number };
      }>("tuning.list", { assignmentId: regularize.id });
      if (!list.defaults) throw new Error("tuning.list proposed no search for the step-7 model");
      const search = list.defaults.search;
      const cost = await client.query<SearchCost>("tuning.estimate", { assignmentId: regularize.id, search });
      const tuneStarted = performance.now();
      const { jobId } = await client.mutate<{ jobId: string }>("tuning.start", { assignmentId: regularize.id, search });
      let run: TuningRun;
      for (;;) {
        run = await client.query<TuningRun>("tuning.byId", { jobId });
        if (run.status !== "queued" && run.status !== "running") break;
        if (graders.some((g) => g.child.exitCode !== null)) throw new Error("the grader exited during the search");
        await sleep(2_000);
      }
      const tuneSeconds = (performance.now() - tuneStarted) / 1000;
      const estimate = run.estimateSeconds ?? cost.seconds;
      const deviation = run.chargedSeconds / estimate - 1;
      ctx.metrics.set("steps.step7.seconds", seven.seconds);
      ctx.metrics.set("steps.tuning.charged", run.chargedSeconds);

      const verdicts: Table = {
        title: "Submit-to-verdict through the web path, seconds (reference submissions, full data, one grader, idle queue)",
        header: ["step", "seconds", "verdict", "how the step-6 run was used"],
        rows: [
          ["6 (mnist-overfit)", fmt(six.seconds), six.status, "–"],
          ["7 (mnist-regularize)", fmt(seven.seconds), seven.status, reused],
        ],
      };
      const tuning: Table = {
        title: "The Tune form's default search on the step-7 reference, MNIST",
        header: [
          "search",
          "schedule",
          "estimate shown before start",
          "budget left",
          "charged",
          "charged / estimate",
          "wall seconds",
          "status",
        ],
        rows: [
          [
            JSON.stringify(search),
            `${scheduleText(cost.schedule)} (${cost.trainings} trainings)`,
            `${fmt(estimate)} s (fits: ${cost.fits ? "yes" : "no"})`,
            `${fmt(cost.leftSeconds)} s`,
            `${fmt(run.chargedSeconds)} s`,
            `${deviation >= 0 ? "+" : ""}${(deviation * 100).toFixed(0)} %`,
            fmt(tuneSeconds),
            run.failure ? `${run.status}: ${run.failure}` : `${run.status}${run.result?.selected ? ", a configuration selected" : ""}`,
          ],
        ],
      };
      return {
        tables: [verdicts, tuning],
        notes: [
          `next start (${build}) and one grader (GRADER_CONCURRENCY=1, warm-up on) on a fresh SQLite file; a student submits through submission.create and polls submission.byId every second, as the status page does; one pass (n=1).`,
          "Step 7 trains the regularized model and the final model on train+validation, and reuses the graded step-6 run as its before-run when it would train the same way (the verdict records which).",
          "Tuning: tuning.list's default search (fitted to the budget left), costed by tuning.estimate from the grader's published calibration and started as proposed; charged = the run's measured grader seconds against the assignment's compute budget.",
        ],
      };
    } finally {
      await stopAll(services);
      await db.close();
    }
  },
};
