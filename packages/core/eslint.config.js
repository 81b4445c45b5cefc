import { stepwise } from "@stepwise/eslint-config";

// core is the bottom of the graph: it may import no other workspace package.
export default stepwise({ tsconfigRootDir: import.meta.dirname, forbidImports: ["@stepwise/*"] });
