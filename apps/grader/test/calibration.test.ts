/**
 * The grader measures its training speed on its real backend at start and publishes it for the web
 * app's submit-time estimate (issue 3); it re-measures while it runs and withdraws the figure on stop.
 */
import { spawn } from "node:child_process";
import { hostname } from "node:os";
import { resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { latestCalibration } from "@stepwise/db";
import { openTestDb, type TestDb } from "@stepwise/db/testing";
import { findExercise } from "@stepwise/exercises";
import { solutions } from "@stepwise/exercises/solutions";
import { estimateTuning, TuningSearch } from "@stepwise/exercises/tuning";
import { slotGflops, slotTraining, startCalibration, TRAINING_EFFICIENCY } from "../src/calibration";
import { configFromEnv } from "../src/config";
import { spawnGrader } from "./fault-helpers";
import { GRADER_ARGV, testConfig } from "./helpers";

let testDb: TestDb | undefined;
afterEach(async () => {
  await testDb?.cleanup();
  testDb = undefined;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A figure a real TF.js backend can reach on any machine this runs on (cpu ~0.1, tfjs-node ~100s). */
const plausible = (gflops: number) => gflops > 0.01 && gflops < 5_000;

describe("grader calibration", () => {
  it("a started grader process publishes its measured speed, and withdraws it on SIGTERM", async () => {
    testDb = await openTestDb("sqlite");
    const { db, url } = testDb;
    const started = Date.now();
    // node itself, as production runs it: pnpm does not pass SIGTERM on, and this asserts what SIGTERM does.
    const grader = spawn(process.execPath, [...GRADER_ARGV], {
      cwd: resolve(import.meta.dirname, ".."),
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        DATABASE_URL: url,
        GRADER_WORKER_ID: "calibrated",
        GRADER_CONCURRENCY: "1",
        GRADER_WARM_UP: "off",
        GRADER_POLL_MS: "50",
        GRADER_CACHE_DIR: testConfig(url).cacheDir,
      },
    });
    let log = "";
    grader.stdout?.on("data", (c: Buffer) => (log += c.toString()));
    grader.stderr?.on("data", (c: Buffer) => (log += c.toString()));
    const exited = new Promise<number | null>((r) => grader.once("exit", (code) => r(code)));
    try {
      let published = await latestCalibration(db, { now: Date.now() });
      for (let i = 0; published === null; i++) {
        if (i > 600) throw new Error(`the grader never published a calibration: ${log}`);
        await sleep(100);
        published = await latestCalibration(db, { now: Date.now() });
      }
      expect(published).toMatchObject({ workerId: "calibrated", host: hostname(), graders: 1 });
      // As verdicts record it: the backend, with `+openblas` (or `+blas`) when matmuls run on the BLAS.
      expect(published.backend).toMatch(/^(tensorflow|wasm|cpu)(\+\w+)?$/);
      expect(plausible(published.gflops)).toBe(true);
      expect(published.measuredAt).toBeGreaterThanOrEqual(started);
      expect(published.measuredAt).toBeLessThanOrEqual(Date.now());
      expect(log).toContain(`calibrated: ${published.backend}, ${published.gflops.toFixed(1)} GFLOPS effective per slot`);
    } finally {
      grader.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
    expect(await latestCalibration(db, { now: Date.now() })).toBeNull();
  });

  it("GRADER_CALIBRATE=off: a grader process starts claiming without measuring and publishes nothing", async () => {
    const defaults = { databaseUrl: "file:x.db", cacheDir: "/tmp/cache", workerId: "w" };
    expect(configFromEnv({}, defaults).calibrate).toBe("on");
    expect(configFromEnv({ GRADER_CALIBRATE: "off" }, defaults).calibrate).toBe("off");
    expect(() => configFromEnv({ GRADER_CALIBRATE: "maybe" }, defaults)).toThrow(/calibrate/);

    testDb = await openTestDb("sqlite");
    const { db, url } = testDb;
    // The fault tests' grader: the production command with GRADER_CALIBRATE=off.
    const { child: grader, output, exited } = spawnGrader(url, "uncalibrated");
    try {
      // "started" is logged once the claim loops run, which a grader that calibrates does only after publishing.
      for (let i = 0; !output().includes("started: 1 slot(s)"); i++) {
        if (i > 600) throw new Error(`the grader never started: ${output()}`);
        await sleep(50);
      }
      expect(output()).toContain("calibration off (GRADER_CALIBRATE=off)");
      expect(output()).not.toContain("calibrated:");
      expect(await latestCalibration(db, { now: Date.now() })).toBeNull();
    } finally {
      grader.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
  });

  it("re-measures every calibrateEveryMs, publishing each figure, and stops when told", async () => {
    testDb = await openTestDb("sqlite");
    const { db, url } = testDb;
    const lines: string[] = [];
    const config = testConfig(url, { workerId: "again", calibrateEveryMs: 500 });
    const calibrator = await startCalibration(config, { db, log: (line) => lines.push(line), host: "bench-1" });
    const first = await latestCalibration(db, { now: Date.now() });
    const measured = calibrator.last;
    if (!first || !measured) throw new Error(`no calibration published: ${lines.join("\n")}`);
    expect(first).toMatchObject({ workerId: "again", host: "bench-1", backend: measured.backend, gflops: measured.gflops });
    // One slot on a machine with at least one core: the published figure is the matmul figure derated.
    expect(measured.gflops).toBeCloseTo(measured.matmulGflops * TRAINING_EFFICIENCY, 6);
    // The training speed measured on the reference models is published with it, and is what the tuning estimate costs with.
    expect(first.training).toEqual(measured.training);
    expect(plausible(measured.training.gflops)).toBe(true);
    expect(measured.training.stepSeconds).toBeGreaterThanOrEqual(0);
    expect(measured.training.stepSeconds).toBeLessThan(1);
    const exercise = findExercise("mnist-regularize");
    const payload = solutions["mnist-regularize"]?.reference;
    if (!exercise || !payload) throw new Error("the MNIST step-7 exercise and its reference are built in");
    const search = TuningSearch.parse({ strategy: "grid", trials: 2, space: { learningRate: [0.001, 0.003] } });
    const cost = (training: typeof first.training) =>
      estimateTuning(exercise, payload, search, {
        gflops: first.gflops,
        maxTrials: 8,
        overheadSeconds: 0,
        ...(training ? { training } : {}),
      });
    const slower = { gflops: measured.training.gflops / 2, stepSeconds: measured.training.stepSeconds * 2 };
    // Every second of it scales with the published figures: half the speed, twice the seconds.
    expect(cost(slower).seconds).toBeCloseTo(2 * cost(first.training).seconds, 6);

    let second = first;
    for (let i = 0; second.measuredAt === first.measuredAt; i++) {
      if (i > 300) throw new Error(`the grader never re-measured: ${lines.join("\n")}`);
      await sleep(100);
      second = (await latestCalibration(db, { now: Date.now() })) ?? first;
    }
    expect(second.measuredAt).toBeGreaterThanOrEqual(first.measuredAt + 500);
    expect(plausible(second.gflops)).toBe(true);

    await calibrator.stop();
    expect(await latestCalibration(db, { now: Date.now() })).toBeNull();
    const linesAtStop = lines.length;
    await sleep(1_500);
    // Stopped means stopped: no measurement and no row after it.
    expect(lines.length).toBe(linesAtStop);
    expect(await latestCalibration(db, { now: Date.now() })).toBeNull();
  });

  it("publishes, with its measurement, the correction completed trainings teach it, and withdraws both on stop", async () => {
    testDb = await openTestDb("sqlite");
    const { db, url } = testDb;
    // A fixed measurement (no calibration child): 30 G/s on products and 2 ms a step per slot.
    const speed = { backend: "wasm", matmulGflops: 12, gflops: 9, training: { gflops: 30, stepSeconds: 0.002 } };
    const measuredAt = Date.UTC(2026, 2, 1, 12);
    const lines: string[] = [];
    const calibrator = await startCalibration(testConfig(url, { workerId: "learns", calibrateEveryMs: 0 }), {
      db,
      log: (line) => lines.push(line),
      now: () => measuredAt,
      measure: () => Promise.resolve(speed),
    });
    const read = () => latestCalibration(db, { now: measuredAt });
    expect(await read()).toMatchObject({ workerId: "learns", training: speed.training });
    expect(await read()).not.toHaveProperty("correction");
    // 38 steps of 2 ms and 1.2 G multiply-adds at 30 G/s: 0.116 s an epoch; a training of 3 epochs is
    // charged that thrice and a warm child's 0.5 s: 0.848 s.
    const work = { train: 4_800, evaluate: 1_200, batchSize: 128 };
    const flops = 1_200_000_000 / 5_200;
    const trained = (job: string, wallSeconds: number, dataset = "mnist") => ({
      dataset,
      job,
      trainingFlopsPerExample: flops,
      work,
      epochs: 3,
      predicted: 0,
      wallSeconds,
    });
    await calibrator.observe(trained("first", 1.06));
    expect(calibrator.correction.all).toBeCloseTo(1.25, 9);
    expect(await read()).toMatchObject({
      training: speed.training,
      correction: calibrator.correction.all,
      corrections: { mnist: calibrator.correction.all },
      measuredAt,
    });
    // The median over jobs: a stalled job does not move it, another at the first one's pace keeps it.
    await calibrator.observe(trained("stalled", 3));
    await calibrator.observe(trained("third", 1.06));
    expect(calibrator.correction.all).toBeCloseTo(1.25, 9);
    expect((await read())?.correction).toBeCloseTo(1.25, 9);
    // A dataset whose trainings run faster than charged gets its own factor; MNIST's stays.
    await calibrator.observe(trained("imdb", 0.636, "imdb"));
    const published = await read();
    expect(published?.corrections?.imdb).toBeCloseTo(0.75, 9);
    expect(published?.corrections?.mnist).toBeCloseTo(1.25, 9);
    expect(Object.keys(published?.corrections ?? {}).sort()).toEqual(["imdb", "mnist"]);
    expect(published?.correction).toBe(calibrator.correction.all);
    await calibrator.stop();
    expect(await read()).toBeNull();
    // After the stop nothing is published again.
    await calibrator.observe(trained("late", 0.2));
    expect(await read()).toBeNull();
    expect(lines.filter((line) => line.startsWith("could not"))).toEqual([]);
  });

  it("learns nothing before its first measurement: there is no figure to compare with", async () => {
    testDb = await openTestDb("sqlite");
    const { db, url } = testDb;
    const calibrator = await startCalibration(testConfig(url, { calibrateEveryMs: 0 }), {
      db,
      log: () => undefined,
      measure: () => Promise.reject(new Error("Calibration failed: no backend")),
    });
    await calibrator.observe({
      dataset: "mnist",
      job: "job-1",
      trainingFlopsPerExample: 1e6,
      work: { train: 100, evaluate: 0, batchSize: 10 },
      epochs: 1,
      predicted: 0,
      wallSeconds: 1,
    });
    expect(calibrator.correction).toEqual({ all: null, byDataset: {} });
    expect(await latestCalibration(db, { now: Date.now() })).toBeNull();
    await calibrator.stop();
  });

  it("a measurement that fails publishes nothing and says why; the grader carries on", async () => {
    testDb = await openTestDb("sqlite");
    const { db, url } = testDb;
    const lines: string[] = [];
    const calibrator = await startCalibration(testConfig(url, { calibrateEveryMs: 0 }), {
      db,
      log: (line) => lines.push(line),
      timeoutMs: 1,
    });
    expect(calibrator.last).toBeNull();
    expect(lines).toEqual([
      expect.stringMatching(
        /^Calibration failed: the calibration child did not report within 1 ms; the web app estimates training time with its configured figure$/,
      ),
    ]);
    expect(await latestCalibration(db, { now: Date.now() })).toBeNull();
    await calibrator.stop();
  });

  it.each([
    ["one slot per core", 12, 2, 2, 9],
    ["fewer slots than cores", 12, 1, 4, 9],
    ["four slots sharing two cores", 12, 4, 2, 4.5],
  ])("derates the matmul figure for training: %s", (_case, matmul, concurrency, cores, expected) => {
    expect(slotGflops(matmul, concurrency, cores)).toBeCloseTo(expected, 9);
    // The measured training speed (no derating: it was measured training) is shared the same way, steps slower by as much.
    const share = expected / (matmul * TRAINING_EFFICIENCY);
    const slot = slotTraining({ gflops: 30, stepSeconds: 0.002 }, concurrency, cores);
    expect(slot.gflops).toBeCloseTo(30 * share, 9);
    expect(slot.stepSeconds).toBeCloseTo(0.002 / share, 12);
  });
});
