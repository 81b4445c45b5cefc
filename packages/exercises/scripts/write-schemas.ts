/** Writes schema/course.schema.json and schema/assignment.schema.json from the zod schemas; a test keeps them current. */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { courseJsonSchemas, schemaText } from "../src/course";

const dir = join(import.meta.dirname, "..", "schema");
mkdirSync(dir, { recursive: true });
for (const [name, schema] of Object.entries(courseJsonSchemas())) {
  writeFileSync(join(dir, name), schemaText(schema));
  process.stdout.write(`wrote ${join(dir, name)}\n`);
}
