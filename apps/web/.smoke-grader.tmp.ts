import { appendProgress, claimJob, completeJob, openDb } from "@stepwise/db";
const db = await openDb("file:/tmp/h5/smoke.db");
const claimed = await claimJob(db, { workerId: "smoke", leaseMs: 60_000, now: Date.now() });
if (!claimed) throw new Error("nothing to claim");
await appendProgress(db, claimed.job.id, { type: "started", backend: "cpu", epochs: 3 }, Date.now());
const history = [1, 2, 3].map((epoch) => ({ epoch, loss: 1 / epoch, accuracy: 0.8 + epoch * 0.03, valLoss: 1.1 / epoch, valAccuracy: 0.78 + epoch * 0.03, seconds: 2 }));
for (const h of history) {
  await appendProgress(db, claimed.job.id, { type: "epoch", epochs: 3, ...h }, Date.now());
  await new Promise((r) => setTimeout(r, 700));
}
await appendProgress(db, claimed.job.id, { type: "evaluating" }, Date.now());
await new Promise((r) => setTimeout(r, 700));
console.log(await completeJob(db, { jobId: claimed.job.id, workerId: "smoke", now: Date.now(), verdict: {
  status: "passed", score: 1, summary: "Your model reached 0.912 test accuracy, well above the 0.114 baseline.",
  checks: [{ id: "beats-baseline", passed: true, message: "0.912 beats the 0.114 baseline (p < 0.01)", visibility: "always" }],
  metrics: { testAccuracy: { label: "Test accuracy", value: 0.912, interval: { lower: 0.906, upper: 0.918, level: 0.95 } } },
  curves: { history, baseline: 0.1135 },
  diagnostics: [{ code: "lr", message: "Loss fell steadily.", hint: "Try more epochs." }],
  environment: { backend: "cpu", tfjsVersion: "4.22.0", seed: 1337, durationMs: 8400 },
} }));
await db.close();
