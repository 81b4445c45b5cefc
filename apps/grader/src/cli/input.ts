import { readFileSync, statSync } from "node:fs";
import { SubmissionPayload, type TrainingConfig, ValidationError, type ExerciseDefinition } from "@stepwise/core/contracts";

export interface TrainingFlags {
  epochs?: string;
  "batch-size"?: string;
  optimizer?: string;
  lr?: string;
  loss?: string;
}

/**
 * Reads a submission JSON, or a bare TF.js / Keras model JSON completed with the exercise's starter
 * training settings and the flags. Every problem is a ValidationError naming the file.
 */
export function readSubmission(file: string, exercise: ExerciseDefinition, flags: TrainingFlags): SubmissionPayload {
  let raw: unknown;
  const size = fileSize(file);
  if (size !== undefined && size > MAX_SUBMISSION_FILE_BYTES) {
    throw new ValidationError(
      `${file} is ${kib(size)} KiB; a submission file may be at most ${kib(MAX_SUBMISSION_FILE_BYTES)} KiB (a model topology is at most 256 KiB, and no weights are needed).`,
    );
  }
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new ValidationError(`${file}: not readable JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  return completeSubmission(raw, exercise, flags, file);
}

/** A topology is capped at 256 KiB; the rest of a submission (training settings, answers) is small. */
export const MAX_SUBMISSION_FILE_BYTES = 1024 * 1024;
const kib = (bytes: number): string => (bytes / 1024).toLocaleString("en-US", { maximumFractionDigits: 1 });

/** Undefined when the file cannot be stat'ed: reading it then says why. */
function fileSize(file: string): number | undefined {
  try {
    return statSync(file).size;
  } catch {
    return undefined;
  }
}

/**
 * A submission (or bare model) already read, completed the same way: the exercise's starter training
 * settings where it has none, the flags on top. `source` names it in errors (a file name).
 */
export function completeSubmission(raw: unknown, exercise: ExerciseDefinition, flags: TrainingFlags, source: string): SubmissionPayload {
  const file = source;
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new ValidationError(`${file}: expected a JSON object`);
  const object = raw as Record<string, unknown>;
  // Answers to a step 1–4 form come as a submission too: `{exerciseId, answers}`.
  const isSubmission = ("model" in object || "answers" in object) && ("training" in object || "exerciseId" in object);
  const base = isSubmission ? object : { exerciseId: exercise.id, model: { format: modelFormat(object), topology: object } };
  const starter = exercise.starterTraining;
  const training = (base.training ?? starter) as TrainingConfig | undefined;
  const merged = {
    ...base,
    exerciseId: (base.exerciseId as string | undefined) ?? exercise.id,
    training: training && {
      compile: {
        ...training.compile,
        ...(flags.optimizer ? { optimizer: flags.optimizer } : {}),
        ...(flags.lr ? { learningRate: Number(flags.lr) } : {}),
        ...(flags.loss ? { loss: flags.loss } : {}),
      },
      fit: {
        ...training.fit,
        ...(flags.epochs ? { epochs: Number(flags.epochs) } : {}),
        ...(flags["batch-size"] ? { batchSize: Number(flags["batch-size"]) } : {}),
      },
    },
  };
  const parsed = SubmissionPayload.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ValidationError(`${file}: ${issue?.path.join(".") ?? ""}: ${issue?.message ?? "invalid submission"}`);
  }
  return parsed.data;
}

/** TF.js writes `keras_version: "tfjs-layers x.y.z"`; anything else is a Keras file. */
function modelFormat(topology: Record<string, unknown>): "tfjs" | "keras" {
  const inner = (topology.modelTopology ?? topology) as Record<string, unknown>;
  return typeof inner.keras_version === "string" && inner.keras_version.startsWith("tfjs") ? "tfjs" : "keras";
}
