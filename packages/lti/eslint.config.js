import { stepwise } from "@stepwise/eslint-config";

// LTI's message rules are pure: they know no database, no app and no catalogue; storage is @stepwise/db's.
export default stepwise({ tsconfigRootDir: import.meta.dirname, forbidImports: ["@stepwise/*"] });
