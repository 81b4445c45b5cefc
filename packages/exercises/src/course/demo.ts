import { resolve } from "node:path";

/** Absolute path of the demo course folder shipped with the package. */
export const demoCourseDir = resolve(import.meta.dirname, "..", "..", "courses", "demo");
