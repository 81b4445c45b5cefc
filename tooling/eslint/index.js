// Shared flat config: typed rules everywhere, no `any`, no non-null assertions,
// and the dependency direction apps → exercises, db → core enforced by import bans.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

/**
 * Where `process.env` may be read: the config modules that parse it once (zod, defaults, units), the
 * entry points that hand it to them, and scripts and tests. Everything else takes its settings as
 * arguments, so a setting has one name, one default and one place to document it.
 */
export const ENV_READERS = [
  "src/env.ts",
  "src/config.ts",
  "src/main.ts",
  "src/cli/**",
  "src/testing.ts",
  "scripts/**",
  "test/**",
  "e2e/**",
  "bench/**",
  "**/*.test.ts",
];

/**
 * The rules that keep the package graph honest and need no type information, so the boundaries test
 * (`tooling/boundaries`) runs them over every package in seconds. `stepwise()` includes them.
 */
export function boundaryRules() {
  return [
    {
      rules: {
        "no-restricted-properties": [
          "error",
          { object: "process", property: "env", message: "Read settings in the app's config module (env.ts/config.ts) and pass them in." },
        ],
      },
    },
    { files: ENV_READERS, rules: { "no-restricted-properties": "off" } },
  ];
}

/** Another package is imported through its `exports`, never by reaching into its `src/`. */
const DEEP_IMPORTS = {
  group: ["@stepwise/*/src", "@stepwise/*/src/*"],
  message: "Import another package through its exports (e.g. @stepwise/core/workflow), not its src/.",
};

/** @param {{ tsconfigRootDir: string, forbidImports?: string[] }} options */
export function stepwise({ tsconfigRootDir, forbidImports = [] }) {
  return tseslint.config(
    { ignores: ["**/node_modules/**", "**/.next/**", "**/dist/**", "**/*.js", "**/*.mjs", "**/next-env.d.ts"] },
    js.configs.recommended,
    ...tseslint.configs.recommendedTypeChecked,
    {
      languageOptions: { parserOptions: { projectService: true, tsconfigRootDir } },
      rules: {
        "@typescript-eslint/no-explicit-any": "error",
        "@typescript-eslint/no-non-null-assertion": "error",
        "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
        "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
        "no-restricted-imports": [
          "error",
          {
            patterns: [
              DEEP_IMPORTS,
              ...forbidImports.map((group) => ({ group: [group], message: "Dependencies point one way: apps → exercises, db → core." })),
            ],
          },
        ],
      },
    },
    ...boundaryRules(),
  );
}
