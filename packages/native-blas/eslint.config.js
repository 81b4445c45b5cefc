import { stepwise } from "@stepwise/eslint-config";

// The addon's loader sits below core: it may import no other workspace package.
export default stepwise({ tsconfigRootDir: import.meta.dirname, forbidImports: ["@stepwise/*"] });
