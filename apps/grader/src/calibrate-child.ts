/**
 * The calibration child: loads the backend the training children use (same preference, same kernel
 * overrides), times core's Dense-shaped product and trains the two reference models of
 * `measureTrainingThroughput` through the training loop jobs use, reports once and exits. A child, not the grader
 * process itself, so the grader never holds TF.js and the figure is that of the backend jobs train on.
 */
import { initBackend, type BackendChoice } from "@stepwise/core/backend";
import { calibrate, type TrainingThroughput } from "@stepwise/core/model";
import { measureTrainingThroughput } from "@stepwise/core/training";

const CHOICES: readonly BackendChoice[] = ["tensorflow", "wasm", "cpu"];
const isChoice = (name: string): name is BackendChoice => (CHOICES as readonly string[]).includes(name);
const preference = process.argv[2] ?? "auto";
const minMs = Number(process.argv[3] ?? "300");

type Report =
  | { type: "calibrated"; backend: string; tfjsVersion: string; matmulGflops: number; training: TrainingThroughput }
  | { type: "error"; message: string };

/**
 * This process's CPU time, ms: what both figures are timed with. A training child has its core to
 * itself when slots ≤ cores (`slotTraining` shares it otherwise), but the calibration runs when other
 * work competes for the cores — graders started together calibrate together, a web server compiles,
 * jobs train — and wall time then measured 29–40 G/s between graders whose real trainings took the
 * same time. The child trains on one thread (wasm, OpenBLAS pinned to one), so its CPU time is the
 * time it would have taken alone; how far real trainings are from that the grader learns from them
 * (`SpeedCorrection`).
 */
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

async function measure(): Promise<Report> {
  const { tf, backend, tfjsVersion } = await initBackend(isChoice(preference) ? { prefer: [preference] } : {});
  const matmulGflops = await calibrate(tf, { minMs, now: cpuMs });
  return { type: "calibrated", backend, tfjsVersion, matmulGflops, training: await measureTrainingThroughput(tf, { now: cpuMs }) };
}

// The grader gone (even by SIGKILL): nobody to report to.
process.once("disconnect", () => process.exit(1));

void measure()
  .catch(
    (error: unknown): Report => ({
      type: "error",
      message: (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, 2000),
    }),
  )
  .then(
    (report) => new Promise<void>((resolve) => (process.send ? process.send(report, undefined, undefined, () => resolve()) : resolve())),
  )
  .finally(() => process.exit(0));
