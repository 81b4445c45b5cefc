import { ModelSpec, SubmissionPayload, type TrainingConfig } from "@stepwise/core/contracts";
import { z } from "zod";

/**
 * What the step page keeps of a student's unsubmitted work. Training settings are kept as typed (a
 * half-typed "0.0" must survive a reload), so they are strings and switches, not a `TrainingConfig`;
 * the editor fills what a draft lacks from the starter. The whole is capped in bytes by the
 * repository (`DRAFT_MAX_BYTES`), which says by how much a draft is over.
 */
export const DraftContent = z
  .object({
    source: z.enum(["code", "file"]).optional().describe("Which model source the editor shows: written code or an uploaded model JSON"),
    code: z.string().optional().describe("Model code as typed"),
    model: ModelSpec.optional().describe("An uploaded model JSON, when the source is a file"),
    training: z
      .record(z.string().max(40), z.union([z.string().max(200), z.boolean()]))
      .optional()
      .describe("Training-settings fields as typed, by field name"),
    origin: z
      .string()
      .max(300)
      .optional()
      .describe("Where the editor's model came from (a passing earlier step, a loaded submission), as shown above it"),
    answers: SubmissionPayload.shape.answers.describe("Answers of an answer step, by question id"),
  })
  .strict();
export type DraftContent = z.infer<typeof DraftContent>;

/** A stored draft read back; one that no longer fits the schema (an older version's) reads as none. */
export function readDraftContent(content: unknown): DraftContent | null {
  const parsed = DraftContent.safeParse(content);
  return parsed.success ? parsed.data : null;
}

/** A model the editor can open on: the code as written when it was kept, the model JSON otherwise, and its training settings. */
export interface EditorModel {
  code: string | null;
  model: ModelSpec | null;
  training: TrainingConfig | null;
}

/** A submission's model as the editor opens it. */
export function editorModelOf(payload: SubmissionPayload): EditorModel {
  return { code: payload.code ?? null, model: payload.model ?? null, training: payload.training ?? null };
}
