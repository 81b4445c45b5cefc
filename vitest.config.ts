import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { configDefaults, defineConfig } from "vitest/config";
import LongestFirstSequencer from "./tooling/test-order/sequencer";

// One root config, one project per package. Training tests are slow by nature (real data, real
// training on small slices), and a busy machine stretches them several times over: the timeouts only
// catch hangs, so they are far above any test's idle time. Speed targets live in `pnpm bench`.
const project = (name: string, root: string, extra: Record<string, unknown> = {}) => ({
  test: {
    name,
    root,
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 360_000,
    hookTimeout: 360_000,
    // `expect.poll` gives up after 1 s by default: a page that refetches after a mutation can take
    // longer than that while other files train beside it. Like the timeouts above, this only
    // catches what never happens.
    expect: { poll: { timeout: 30_000 } },
    ...extra,
  },
});

// Projects whose tests start graders, the CLI or training children build apps/grader/dist first:
// those processes run the compiled code.
const graderBuild = fileURLToPath(new URL("apps/grader/test/global-setup.ts", import.meta.url));

// Vitest runs `cores − 1` files at once: one on a 2-core machine, where most test files spend their
// time waiting on a database, a grader process or a browser. Two at a time keeps both cores busy;
// three were slower on an idle 2-core machine (clean clones: 1,001 s against 864 s), as the graders,
// web servers and browsers the files start already fill the cores while a file waits on them.
// VITEST_MAX_WORKERS overrides it (e.g. 1 to debug an interleaving).
const maxWorkers = Number(process.env.VITEST_MAX_WORKERS ?? Math.max(2, availableParallelism()));

// Files of every project but core's backend tests (and the few of native-blas and tooling) share their
// worker's modules (`isolate: false`): each opens its own database, trains its own data or starts its own
// processes, and mocks nothing, and a fresh module graph per file cost more than most of those files' tests (17 small web files: 30 s → 20 s; side
// by side, the exercises project, which loads TF.js in every file, 277 s → 201 s, and core 89 s → 65 s;
// the grader's and browser tests' 42 files paid ~63 s importing kysely, pg, better-auth and Playwright
// again, against ~14 s shared). core's backend tests swap TF.js kernels and backends: one module graph
// per file there. Vitest keeps a shared worker only while the next file is the same project's, which is
// why the sequencer runs each project's files as one block.
export default defineConfig({
  test: {
    maxWorkers,
    // Isolated files first, then one block per project, longest files first (tooling/test-order).
    sequence: { sequencer: LongestFirstSequencer },
    projects: [
      // core's backend tests install, remove and compare TF.js kernels and backends: one module graph
      // per file there; the rest of core (models, training, datasets) shares its worker's modules.
      project("core", "packages/core", { exclude: [...configDefaults.exclude, "src/backend/**"], isolate: false }),
      project("core-backend", "packages/core", { include: ["src/backend/**/*.test.ts"] }),
      project("db", "packages/db", { isolate: false }),
      project("native-blas", "packages/native-blas"),
      project("exercises", "packages/exercises", { isolate: false }),
      project("lti", "packages/lti", { isolate: false }),
      project("grader", "apps/grader", { globalSetup: [graderBuild], isolate: false }),
      project("tooling", "tooling/boundaries"),
      // The bench's own logic (its report), not its measurements: those run only under `pnpm bench`.
      project("bench", "bench", { include: ["lib/**/*.test.ts"], isolate: false }),
      project("web", "apps/web", {
        include: ["src/**/*.test.ts", "test/**/*.test.ts"],
        exclude: ["e2e/**"],
        globalSetup: [graderBuild],
        isolate: false,
      }),
      // Browser test files share a platform per worker (web, grader, database, port; e2e/platform.ts),
      // each file on its own accounts and course, so they run in parallel like every other file: a
      // project without file parallelism waits until every parallel file of the run is done and then
      // runs alone, one core idle. The web app is built once, in the background from the start of the
      // run (e2e/global-setup.ts).
      project("e2e", "apps/web", {
        include: ["e2e/**/*.test.ts"],
        globalSetup: [graderBuild, "e2e/global-setup.ts"],
        testTimeout: 600_000,
        hookTimeout: 900_000,
        isolate: false,
      }),
    ],
  },
});
