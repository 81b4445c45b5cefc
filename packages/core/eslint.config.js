import { stepwise } from "@stepwise/eslint-config";

// core is the bottom of the graph: it may import no other workspace package, except that backend/
// loads the native-blas addon, which sits below core.
export default [
  ...stepwise({ tsconfigRootDir: import.meta.dirname, forbidImports: ["@stepwise/*"] }),
  {
    files: ["src/backend/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["@stepwise/*", "!@stepwise/native-blas"],
              message: "Dependencies point one way: apps → exercises, db → core; core's backend/ may load @stepwise/native-blas only.",
            },
          ],
        },
      ],
    },
  },
];
