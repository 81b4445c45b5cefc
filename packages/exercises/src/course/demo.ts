import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

// Next's bundler leaves `import.meta.dirname` undefined in server chunks (the web app imports this
// module through `@stepwise/exercises/course`); `import.meta.url` is defined under Node and bundlers.
const here = (import.meta.dirname as string | undefined) ?? dirname(fileURLToPath(import.meta.url));

/** Absolute path of the demo course folder shipped with the package. */
export const demoCourseDir = resolve(here, "..", "..", "courses", "demo");
