import type { DatasetRef, ExerciseDefinition } from "@stepwise/core/contracts";

type ImdbRef = Extract<DatasetRef, { kind: "imdb" }>;

const words = (n: number) => n.toLocaleString("en-US");

/**
 * The exercise on IMDB with another vocabulary (`dataset`): the starter model's input width and its
 * comment follow it ("width 10000", "10,000 most frequent" become the new size), so a student who
 * starts from it submits a model built for the vocabulary the data is encoded with. The one place
 * both an instructor's vocabulary override (`withOverrides`) and a guided project's step-4 choice
 * (`withDecisions`) adapt an exercise; any other exercise comes back unchanged.
 */
export function withVocabulary(exercise: ExerciseDefinition, dataset: ImdbRef): ExerciseDefinition {
  if (exercise.dataset.kind !== "imdb") return exercise;
  const from = exercise.dataset.vocabularySize;
  const to = dataset.vocabularySize;
  const next: ExerciseDefinition = { ...exercise, dataset };
  if (from === to || exercise.starterCode === undefined) return next;
  // Whole numbers only: "10000" inside "100000" or "10,000" inside "110,000" is another figure.
  const figures = new RegExp(`(?<![\\d,])(${String(from)}|${words(from)})(?![\\d]|,\\d)`, "g");
  next.starterCode = exercise.starterCode.replace(figures, (match) => (match.includes(",") ? words(to) : String(to)));
  return next;
}

/** The sentence a guided step states when step 4 fixed the vocabulary: what the model's input must be. */
export function vocabularyNote(size: number): string {
  return (
    `In your project the vocabulary is the ${words(size)} most frequent training words you chose in step 4: ` +
    `a Dense input takes multi-hot vectors of width ${size} (inputShape: [${size}]), an Embedding takes input_dim ${size + 2}.`
  );
}
