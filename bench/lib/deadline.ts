/**
 * A deadline hour, simulated: students submit a mix of steps 1–7 with the rate rising toward the
 * deadline, and grader slots serve them with the queue's claim order (fewest running jobs of that
 * student first, then the student claimed least recently, then the oldest job — `claimJob`). Job
 * lengths are measured means per step; the simulation is deterministic for a seed.
 */
import { mulberry32 } from "@stepwise/core/training";

export interface StepCost {
  /** Label, e.g. "mnist step 6". */
  key: string;
  step: number;
  /** Mean seconds one grader slot spends on a job of this kind, measured. */
  seconds: number;
  /** Submissions per student of this kind in the hour (attempts, resubmissions). */
  perStudent: number;
}

export interface DeadlineInput {
  students: number;
  /** Length of the window before the deadline, seconds. */
  windowSeconds: number;
  costs: readonly StepCost[];
  /** Grader processes, one slot each. */
  graders: number;
  /** Throughput of `graders` processes relative to one (measured: two processes on 2 cores give ~1.7×). */
  speedup: number;
  seed: number;
}

export interface Job {
  student: number;
  key: string;
  step: number;
  arrival: number;
  service: number;
  done?: number;
}

export interface DeadlineResult {
  jobs: Job[];
  /** Busy slot-seconds / (slots × makespan). */
  utilisation: number;
  /** When the last verdict came, seconds after the window opened. */
  makespan: number;
}

/**
 * Arrivals with density rising linearly to the deadline (f(t) ∝ t: half the submissions in the last
 * ~30% of the hour, as deadline traffic goes); a student's fractional attempts round randomly.
 */
export function arrivals(input: Pick<DeadlineInput, "students" | "windowSeconds" | "costs" | "seed">): Job[] {
  const rand = mulberry32(input.seed);
  const jobs: Job[] = [];
  for (let student = 0; student < input.students; student++) {
    for (const cost of input.costs) {
      const whole = Math.floor(cost.perStudent);
      const count = whole + (rand() < cost.perStudent - whole ? 1 : 0);
      for (let i = 0; i < count; i++) {
        jobs.push({ student, key: cost.key, step: cost.step, arrival: Math.sqrt(rand()) * input.windowSeconds, service: cost.seconds });
      }
    }
  }
  return jobs.sort((a, b) => a.arrival - b.arrival);
}

export function simulate(input: DeadlineInput): DeadlineResult {
  const jobs = arrivals(input);
  // Each slot of n processes runs at speedup/n of one process alone.
  const slowdown = input.graders / input.speedup;
  const free: number[] = Array.from({ length: input.graders }, () => 0);
  const running = new Map<number, number>();
  const lastClaim = new Map<number, number>();
  const finishing: { at: number; student: number }[] = [];
  const waiting: Job[] = [];
  let next = 0;
  let busy = 0;
  let now = 0;
  while (next < jobs.length || waiting.length) {
    const slot = free.indexOf(Math.min(...free));
    now = Math.max(now, free[slot] ?? 0);
    // Everything that arrived or finished by now is known to the claim.
    while (next < jobs.length && (jobs[next]?.arrival ?? Infinity) <= now) waiting.push(jobs[next++] as Job);
    for (let i = finishing.length - 1; i >= 0; i--) {
      const f = finishing[i];
      if (f && f.at <= now) {
        running.set(f.student, (running.get(f.student) ?? 1) - 1);
        finishing.splice(i, 1);
      }
    }
    if (!waiting.length) {
      now = jobs[next]?.arrival ?? now;
      continue;
    }
    let pick = 0;
    for (let i = 1; i < waiting.length; i++) {
      const a = waiting[i] as Job;
      const b = waiting[pick] as Job;
      const ra = running.get(a.student) ?? 0;
      const rb = running.get(b.student) ?? 0;
      const la = lastClaim.get(a.student) ?? -1;
      const lb = lastClaim.get(b.student) ?? -1;
      if (ra < rb || (ra === rb && (la < lb || (la === lb && a.arrival < b.arrival)))) pick = i;
    }
    const job = waiting.splice(pick, 1)[0] as Job;
    const length = job.service * slowdown;
    job.done = now + length;
    busy += length;
    free[slot] = job.done;
    running.set(job.student, (running.get(job.student) ?? 0) + 1);
    lastClaim.set(job.student, now);
    finishing.push({ at: job.done, student: job.student });
  }
  const makespan = Math.max(...jobs.map((j) => j.done ?? 0));
  return { jobs, utilisation: busy / (input.graders * makespan), makespan };
}

/** Grader cores ≈ peak submissions/hour × mean grading seconds ÷ 3600 ÷ target utilisation. */
export function coresNeeded(submissionsPerHour: number, meanSeconds: number, targetUtilisation: number): number {
  return (submissionsPerHour * meanSeconds) / 3600 / targetUtilisation;
}
