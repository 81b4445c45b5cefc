import { z } from "zod";
import { AssignmentFile, CourseFile } from "./schema";

/** JSON Schemas of the two file kinds, for editors (`# yaml-language-server: $schema=…`) and other tools. */
export function courseJsonSchemas(): { "course.schema.json": unknown; "assignment.schema.json": unknown } {
  return {
    "course.schema.json": { ...z.toJSONSchema(CourseFile, { io: "input" }), title: "Stepwise course.yaml" },
    "assignment.schema.json": { ...z.toJSONSchema(AssignmentFile, { io: "input" }), title: "Stepwise assignment file" },
  };
}

export const schemaText = (schema: unknown): string => `${JSON.stringify(schema, null, 2)}\n`;
