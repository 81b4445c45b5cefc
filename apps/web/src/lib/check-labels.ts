/**
 * What each check is called where people read it (visibility editor, regrade notices, the audit log);
 * its id stays the stored key. Answer steps report checks named after what they test, so an id not
 * listed is turned into words rather than shown raw.
 */
const LABELS: Record<string, string> = {
  "fits-the-task": "Last layer and loss fit the task",
  "beats-baseline": "Beats the baseline",
  "claim-reproduced": "Result holds on other seeds",
  overfits: "Shows overfitting",
  "smaller-gap": "Narrows the train/validation gap",
  "reaches-target": "Reaches the target",
};

export function checkLabel(id: string): string {
  const known = LABELS[id];
  if (known) return known;
  const words = id
    .replace(/[-_.]+/g, " ")
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .trim()
    .toLowerCase();
  return words.length === 0 ? id : words.charAt(0).toUpperCase() + words.slice(1);
}
