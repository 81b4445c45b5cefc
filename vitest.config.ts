import { defineConfig } from "vitest/config";

// One root config, one project per package. Training tests are slow by nature (real data, real
// training on small slices), so timeouts are generous; speed targets live in `pnpm bench`.
const project = (name: string, root: string, extra: Record<string, unknown> = {}) => ({
  test: {
    name,
    root,
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    ...extra,
  },
});

export default defineConfig({
  test: {
    projects: [
      project("core", "packages/core"),
      project("db", "packages/db"),
      project("native-blas", "packages/native-blas"),
      project("exercises", "packages/exercises"),
      project("grader", "apps/grader"),
      project("web", "apps/web", { include: ["src/**/*.test.ts", "test/**/*.test.ts"], exclude: ["e2e/**"] }),
      project("e2e", "apps/web", {
        include: ["e2e/**/*.test.ts"],
        testTimeout: 600_000,
        hookTimeout: 900_000,
        fileParallelism: false,
      }),
    ],
  },
});
