import { createServer, type Server } from "node:http";
import { queueStats, type Db } from "@stepwise/db";
import type { DbHealth } from "./db-health";
import type { SandboxStatus } from "./jail";
import type { WarmPoolStats } from "./sandbox";

const BUCKETS_S = [1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800];

/** What one grader process has done, exposed as Prometheus text at /metrics. */
export class GraderMetrics {
  readonly outcomes = new Map<string, number>();
  private readonly buckets = new Array<number>(BUCKETS_S.length).fill(0);
  private durationSum = 0;
  private durationCount = 0;
  backend = "unknown";
  /** The worker's training-child pool, once the worker started. */
  pool: WarmPoolStats | null = null;
  /** Whether training children run in the OS sandbox (GRADER_SANDBOX), once the grader checked. */
  sandbox: SandboxStatus | null = null;

  recordJob(status: string, durationMs: number): void {
    this.outcomes.set(status, (this.outcomes.get(status) ?? 0) + 1);
    const seconds = durationMs / 1000;
    BUCKETS_S.forEach((bound, i) => {
      if (seconds <= bound) this.buckets[i] = (this.buckets[i] ?? 0) + 1;
    });
    this.durationSum += seconds;
    this.durationCount += 1;
  }

  render(input: { running: number; queue: Record<string, number>; workerId: string }): string {
    const label = `worker="${input.workerId.replace(/"/g, "")}"`;
    const lines = [
      "# HELP stepwise_queue_jobs Jobs in the queue by status (whole database).",
      "# TYPE stepwise_queue_jobs gauge",
      ...Object.entries(input.queue).map(([status, n]) => `stepwise_queue_jobs{status="${status}"} ${n}`),
      "# HELP stepwise_grader_running_jobs Jobs this grader process is training now.",
      "# TYPE stepwise_grader_running_jobs gauge",
      `stepwise_grader_running_jobs{${label}} ${input.running}`,
      '# HELP stepwise_grader_outcomes_total Verdicts written by this process, by status (grader faults as "fault").',
      "# TYPE stepwise_grader_outcomes_total counter",
      ...[...this.outcomes].map(([status, n]) => `stepwise_grader_outcomes_total{${label},status="${status}"} ${n}`),
      "# HELP stepwise_grader_job_duration_seconds Claim-to-verdict time of a job.",
      "# TYPE stepwise_grader_job_duration_seconds histogram",
      ...BUCKETS_S.map((bound, i) => `stepwise_grader_job_duration_seconds_bucket{${label},le="${bound}"} ${this.buckets[i] ?? 0}`),
      `stepwise_grader_job_duration_seconds_bucket{${label},le="+Inf"} ${this.durationCount}`,
      `stepwise_grader_job_duration_seconds_sum{${label}} ${this.durationSum}`,
      `stepwise_grader_job_duration_seconds_count{${label}} ${this.durationCount}`,
      "# HELP stepwise_grader_backend_info The TF.js backend training children use.",
      "# TYPE stepwise_grader_backend_info gauge",
      `stepwise_grader_backend_info{${label},backend="${this.backend}"} 1`,
      "# HELP stepwise_grader_children_started_total Training child processes this grader forked.",
      "# TYPE stepwise_grader_children_started_total counter",
      `stepwise_grader_children_started_total{${label}} ${this.pool?.started ?? 0}`,
      "# HELP stepwise_grader_child_reuses_total Runs given a training child that had trained before.",
      "# TYPE stepwise_grader_child_reuses_total counter",
      `stepwise_grader_child_reuses_total{${label}} ${this.pool?.reuses ?? 0}`,
    ];
    return `${lines.join("\n")}\n`;
  }
}

/** /healthz and /metrics for one grader process. Port 0 picks a free port. */
export function serveMetrics(input: {
  port: number;
  db: Db;
  metrics: GraderMetrics;
  health: DbHealth;
  running: () => number;
  ready: () => boolean;
  workerId: string;
}): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url === "/healthz") {
      // Still 200 while the database is away: the grader resumes by itself when it answers again,
      // and a supervisor that restarted it on a 503 would only lose the jobs it is training.
      // "ready": false while the grader calibrates and warms its children; it claims nothing until then.
      const database = input.health.describe();
      const ready = input.ready();
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          status: database !== null ? "degraded" : ready ? "ok" : "starting",
          ready,
          database: database ?? "reachable",
          workerId: input.workerId,
          running: input.running(),
          backend: input.metrics.backend,
          sandbox: input.metrics.sandbox,
        }),
      );
      return;
    }
    if (req.url === "/metrics") {
      queueStats(input.db)
        .then((queue) => {
          res.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
          res.end(input.metrics.render({ running: input.running(), queue, workerId: input.workerId }));
        })
        .catch((error: unknown) => {
          res.writeHead(503, { "content-type": "text/plain" });
          res.end(`database unavailable: ${String(error)}\n`);
        });
      return;
    }
    res.writeHead(404).end();
  });
  return new Promise((resolve) => server.listen(input.port, "127.0.0.1", () => resolve(server)));
}
