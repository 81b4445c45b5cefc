import type { ModelSpec } from "@stepwise/core/contracts";
import { formatDate } from "~/lib/format";
import type { DraftContent } from "~/server/services/drafts";
import type { RouterOutputs } from "~/trpc/types";
import { draftFrom, type TrainingDraft } from "./training-settings";

export type DraftView = RouterOutputs["draft"]["get"];

/** What the model editor holds: the model source, the code, an uploaded model JSON, the settings as typed, and where it came from. */
export interface EditorState {
  source: "code" | "file";
  code: string;
  uploaded: ModelSpec | null;
  training: TrainingDraft;
  /** A line saying where the editor's model came from, when it is not the student's own typing or the starter. */
  origin: string | null;
}

type Starter = Pick<RouterOutputs["assignment"]["byId"]["exercise"], "starterCode" | "starterTraining">;
type Training = Starter["starterTraining"];

export function starterEditor(exercise: Starter): EditorState {
  return {
    source: "code",
    code: exercise.starterCode ?? "",
    uploaded: null,
    training: draftFrom(exercise.starterTraining ?? null),
    origin: null,
  };
}

/** A stored draft's settings over the starter's: only fields the form has, with the type it has, are taken. */
function trainingOf(stored: DraftContent["training"], base: TrainingDraft): TrainingDraft {
  const next: Record<string, string | boolean> = { ...base };
  for (const [key, value] of Object.entries(stored ?? {})) {
    if (key in base && typeof base[key as keyof TrainingDraft] === typeof value) next[key] = value;
  }
  return next as unknown as TrainingDraft;
}

/** A submitted model in the editor: its code when the submission kept it, its model JSON (as an uploaded file) otherwise. */
export function editorFromModel(
  model: { code: string | null; model: ModelSpec | null; training: Training },
  exercise: Starter,
  origin: string,
): EditorState {
  const training = draftFrom(model.training ?? exercise.starterTraining ?? null);
  if (model.code !== null) return { source: "code", code: model.code, uploaded: null, training, origin };
  return { source: "file", code: exercise.starterCode ?? "", uploaded: model.model, training, origin };
}

/** Where the editor opens: the student's draft, else the model that passed the step before, else the starter. */
export function initialEditor(exercise: Starter, drafts: DraftView | null): EditorState {
  const starter = starterEditor(exercise);
  const draft = drafts?.draft?.content;
  if (draft) {
    return {
      source: draft.source ?? "code",
      code: draft.code ?? starter.code,
      uploaded: draft.model ?? null,
      training: trainingOf(draft.training, starter.training),
      origin: draft.origin ?? null,
    };
  }
  const start = drafts?.start;
  if (start)
    return editorFromModel(
      start,
      exercise,
      `Starting from your passing step-${start.step} model, submitted ${formatDate(start.submittedAt)}.`,
    );
  return starter;
}

/** The editor as a draft to store. */
export function contentOf(state: EditorState): DraftContent {
  return {
    source: state.source,
    code: state.code,
    ...(state.uploaded ? { model: state.uploaded } : {}),
    training: { ...state.training },
    ...(state.origin !== null ? { origin: state.origin } : {}),
  };
}
