/**
 * `pnpm bench [--quick] [--only compute,training,datasets,startup,grader,deadline,steps,tuning,web,gradebook [--update-latest]] [--models mnist,mnist-cnn,imdb] [--runs N] [--build-web]`
 * Measures grading speed against PyTorch on one thread and the machine's peak, and writes
 * bench/results/latest.md (a quick or partial run writes latest-partial.md; `--only … --update-latest`
 * replaces those sections of latest.md instead). Never part of `pnpm test`.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { describeMachine, load1 } from "./lib/machine";
import { markdownTable, ratios, renderReport, replaceSections, type SectionReport } from "./lib/report";
import { MODEL_NAMES, type ModelName } from "./lib/models";
import type { BenchContext, Section } from "./lib/types";
import { compute } from "./sections/compute";
import { datasets } from "./sections/datasets";
import { deadline } from "./sections/deadline";
import { gradebook } from "./sections/gradebook";
import { grader } from "./sections/grader";
import { startup } from "./sections/startup";
import { steps } from "./sections/steps";
import { training } from "./sections/training";
import { tuning } from "./sections/tuning";
import { web } from "./sections/web";

// compute first: training reads the machine's peak GFLOPS from it.
const SECTIONS: Section[] = [compute, training, datasets, startup, grader, deadline, steps, tuning, web, gradebook];

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string" },
    models: { type: "string" },
    runs: { type: "string" },
    "build-web": { type: "boolean", default: false },
    "update-latest": { type: "boolean", default: false },
  },
});
const only = values.only
  ?.split(",")
  .map((s) => s.trim())
  .filter(Boolean);
const unknown = only?.filter((name) => !SECTIONS.some((s) => s.name === name)) ?? [];
if (unknown.length) {
  console.error(`--only expects names from ${SECTIONS.map((s) => s.name).join(", ")}, got ${unknown.join(", ")}`);
  process.exit(2);
}
/**
 * Sections whose figures other sections or the ratio table read (peak GFLOPS, training and grading
 * speed, grader scaling): re-run alone, they would leave the report's ratios or the deadline's
 * simulation on the old run's figures, so only a full run updates them.
 */
const FEEDS_OTHERS = new Set(["compute", "training", "startup", "grader", "deadline"]);
if (values["update-latest"]) {
  const refused = only?.filter((name) => FEEDS_OTHERS.has(name)) ?? [];
  if (!only || values.quick || values.models || refused.length) {
    console.error(
      `--update-latest re-runs sections of a full run: it needs --only with sections nothing else reads (not ${[...FEEDS_OTHERS].join(", ")}), without --quick or --models${refused.length ? `; got ${refused.join(", ")}` : ""}`,
    );
    process.exit(2);
  }
}
const models = values.models
  ?.split(",")
  .map((s) => s.trim())
  .filter(Boolean);
const unknownModels = models?.filter((name) => !(MODEL_NAMES as readonly string[]).includes(name)) ?? [];
if (unknownModels.length) {
  console.error(`--models expects names from ${MODEL_NAMES.join(", ")}, got ${unknownModels.join(", ")}`);
  process.exit(2);
}
const runs = values.runs ? Number(values.runs) : values.quick ? 1 : 3;
if (!Number.isInteger(runs) || runs < 1) {
  console.error(`--runs expects a positive integer, got ${values.runs ?? ""}`);
  process.exit(2);
}

const repoDir = resolve(import.meta.dirname, "..");
const startedAt = new Date();
const benchStart = performance.now();
const log = (message: string) => console.log(`[bench ${((performance.now() - benchStart) / 1000).toFixed(0).padStart(4)} s] ${message}`);

spawnSync("bash", [join(repoDir, "bench", "setup.sh")], { stdio: "inherit" });
const ctx: BenchContext = {
  quick: values.quick,
  runs,
  repoDir,
  buildWeb: values["build-web"],
  tmpDir: mkdtempSync(join(tmpdir(), "stepwise-bench-")),
  metrics: new Map(),
  log,
  ...(models ? { models: models as ModelName[] } : {}),
};
const machine = describeMachine(repoDir);
log(
  `${machine.cpu}, ${machine.cores} cores; node ${machine.node}, tfjs ${machine.tfjs}, torch ${machine.torch}, numpy ${machine.numpy} (${machine.blas})`,
);

const reports: SectionReport[] = [];
try {
  for (const section of SECTIONS.filter((s) => !only || only.includes(s.name))) {
    log(`== ${section.title}`);
    const started = performance.now();
    const report: SectionReport = { name: section.name, title: section.title, seconds: 0, loadBefore: load1(), loadAfter: 0 };
    try {
      report.output = await section.run(ctx);
    } catch (error) {
      // Fail soft: the table says what broke, the other sections still run.
      report.error = error instanceof Error ? error.message.slice(0, 1000) : String(error);
      log(`${section.name} failed: ${report.error}`);
    }
    report.seconds = (performance.now() - started) / 1000;
    report.loadAfter = load1();
    reports.push(report);
    for (const table of report.output?.tables ?? []) console.log(`\n${markdownTable(table)}\n`);
  }
} finally {
  rmSync(ctx.tmpDir, { recursive: true, force: true });
}

console.log(`\n${markdownTable(ratios(ctx))}\n`);
const resultsDir = join(repoDir, "bench", "results");
mkdirSync(resultsDir, { recursive: true });
const argv = process.argv.slice(2);
if (values["update-latest"]) {
  const file = join(resultsDir, "latest.md");
  writeFileSync(file, replaceSections(readFileSync(file, "utf8"), reports, { startedAt, argv }));
  const failed = reports.filter((r) => r.error).map((r) => r.name);
  const replaced = reports.filter((r) => !r.error).map((r) => r.name);
  log(
    `${replaced.length > 0 ? `replaced ${replaced.join(", ")} in ${file}` : `${file} unchanged`}${failed.length > 0 ? `; kept ${failed.join(", ")} as it was (failed)` : ""}`,
  );
} else {
  // A quick or partial run must not overwrite the full results a commit should carry.
  const file = join(resultsDir, values.quick || only || models ? "latest-partial.md" : "latest.md");
  writeFileSync(file, renderReport({ machine, ctx, sections: reports, startedAt, argv }));
  log(`wrote ${file}`);
}
process.exit(reports.some((r) => r.error) ? 1 : 0);
