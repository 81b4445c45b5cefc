import type { Linter } from "eslint";

export const ENV_READERS: string[];
export function boundaryRules(): Linter.Config[];
export function stepwise(options: { tsconfigRootDir: string; forbidImports?: string[] }): Linter.Config[];
