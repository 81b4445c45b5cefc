import { stepwise } from "@stepwise/eslint-config";

export default stepwise({ tsconfigRootDir: import.meta.dirname });
