import type { ExerciseDefinition, TrainingConfig } from "@stepwise/core/contracts";
import { ValidationError } from "@stepwise/core/contracts";
import { TECHNIQUES, type Technique } from "../course/schema";

/** How the toolbox's techniques are named to a student, and the training setting each one is. */
const NAMES: Record<Exclude<Technique, "tuning">, { title: string; setting: string }> = {
  augmentation: { title: "data augmentation", setting: "augmentation" },
  "early-stopping": { title: "early stopping", setting: "earlyStopping" },
};

/** The toolbox techniques a submission's training settings use (tuning is a search, not a setting). */
export function techniquesUsed(training: TrainingConfig): Exclude<Technique, "tuning">[] {
  const used: Exclude<Technique, "tuning">[] = [];
  if (training.fit.augmentation) used.push("augmentation");
  if (training.fit.earlyStopping) used.push("early-stopping");
  return used;
}

/** What the examples of a dataset are, for a student told that augmentation needs images. */
function examplesOf(exercise: ExerciseDefinition, csvFile?: string): string {
  switch (exercise.dataset.kind) {
    case "mnist":
      return "images";
    case "imdb":
      return "movie reviews (word vectors or word-index sequences), not images";
    case "csv":
      return `rows of the table ${csvFile ?? exercise.dataset.file}, not images`;
  }
}

/**
 * Step 7's regularization toolbox, checked before anything trains: each technique belongs to step 7,
 * must be one the assignment allows (`toolboxPolicy(overrides).allowed`; all when `allowed` is
 * undefined), augmentation needs images, and early stopping needs validation data to watch.
 */
export function checkToolbox(
  exercise: ExerciseDefinition,
  training: TrainingConfig,
  options: { allowed?: readonly Technique[] | undefined; csvFile?: string | undefined } = {},
): void {
  for (const technique of techniquesUsed(training)) {
    const { title, setting } = NAMES[technique];
    const remove = `remove \`${setting}\` from the training settings`;
    if (exercise.step !== 7) {
      throw new ValidationError(
        `${capitalize(title)} is part of step 7's regularization toolbox; step ${exercise.step} trains the model as it is: ${remove}.`,
        `training.fit.${setting}`,
      );
    }
    const allowed = options.allowed ?? TECHNIQUES;
    if (!allowed.includes(technique)) {
      const others = allowed.filter((t) => t !== technique);
      throw new ValidationError(
        `Your instructor has not allowed ${title} (${technique}) on this assignment; its toolbox allows ${others.length ? others.join(", ") : "none of the techniques"}: ${remove}.`,
        `training.fit.${setting}`,
      );
    }
  }
  if (training.fit.augmentation && exercise.dataset.kind !== "mnist") {
    throw new ValidationError(
      `Data augmentation applies to images (MNIST); this dataset's examples are ${examplesOf(exercise, options.csvFile)}: remove \`augmentation\` from the training settings.`,
      "training.fit.augmentation",
    );
  }
  if (training.fit.earlyStopping && training.validation?.kind !== "kfold" && training.fit.validationSplit <= 0) {
    throw new ValidationError(
      "Early stopping watches validation loss, and a validation split of 0 leaves none: set a validation split above 0 (e.g. 0.2) or use K-fold, or remove `earlyStopping`.",
      "training.fit.earlyStopping",
    );
  }
}

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
