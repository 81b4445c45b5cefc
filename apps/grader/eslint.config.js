import { stepwise } from "@stepwise/eslint-config";

// web and grader share contracts through core and state through db, never each other.
export default stepwise({ tsconfigRootDir: import.meta.dirname, forbidImports: ["@stepwise/web", "@stepwise/web/*"] });
