// Shared flat config: typed rules everywhere, no `any`, no non-null assertions,
// and the dependency direction apps → exercises, db → core enforced by import bans.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

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
        "no-restricted-imports": forbidImports.length
          ? ["error", { patterns: forbidImports.map((group) => ({ group: [group], message: "Dependencies point one way: apps → exercises, db → core." })) }]
          : "off",
      },
    },
  );
}
