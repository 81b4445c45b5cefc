/**
 * The early-stopping rule, one for the grader's harness and the browser preview: the watched loss
 * must beat its best so far; after `patience` epochs in a row without a new best, training stops.
 */
export interface EarlyStopping {
  /** Feeds one epoch's watched loss: a new best, still waiting, or time to stop. */
  observe(loss: number): "improved" | "waiting" | "stop";
}

export function earlyStopping(patience: number): EarlyStopping {
  let best = Number.POSITIVE_INFINITY;
  let since = 0;
  return {
    observe(loss) {
      if (loss < best) {
        best = loss;
        since = 0;
        return "improved";
      }
      since += 1;
      return since >= patience ? "stop" : "waiting";
    },
  };
}
