/**
 * What the data panel may show above a step's questions: the evidence the answers are inferred from,
 * never the answers themselves. Step 1 asks for the task type and class count (and, on a table, the
 * target column); step 4 decides how inputs are encoded, which fixes the model's input width (IMDB's
 * vocabulary, a table's one-hot columns). Each is shown once the step that asks for it is behind.
 */
export interface PanelShows {
  /** The task line ("10 classes", "Binary classification"). */
  task: boolean;
  /** The column the models predict, named as such (the class balance or range of a table's target). */
  target: boolean;
  /** The input width after encoding, and how the grader encodes a row. */
  encodedInput: boolean;
}

export function panelShows(step: number): PanelShows {
  return { task: step > 1, target: step > 1, encodedInput: step > 4 };
}

/** Which questions each panel fact would answer: a test holds every catalogue question to it. */
export const ANSWERED_BY: Readonly<Record<keyof PanelShows, readonly string[]>> = {
  task: ["task", "classes"],
  target: ["target"],
  encodedInput: ["encoding", "vocabularySize", "numericScaling", "categorical"],
};

/** The raw range of the MNIST digits the panel shows (base64 bytes): step 4's evidence for how pixels must be scaled. */
export function pixelRange(digits: ReadonlyArray<{ pixels: string }>): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const digit of digits) {
    const bytes = atob(digit.pixels);
    for (let i = 0; i < bytes.length; i++) {
      const v = bytes.charCodeAt(i);
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
  }
  return { min, max };
}
