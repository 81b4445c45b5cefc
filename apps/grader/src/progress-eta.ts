/**
 * The time left of a grading, for the student's status line. Before any epoch has run it comes from
 * the grader's published calibration (`estimateTrainingSeconds`, the figure the web app checks
 * budgets with); every finished epoch corrects it by how the measured epochs compare with that
 * estimate, so a busy grader, a slow model or a wrong calibration shows in the next estimate.
 */

export interface EtaPlan {
  /** Trainings the grading runs in all. */
  runs: number;
  /** Calibrated estimate of one epoch, seconds; null when the grader has no calibration (then the first measured epoch decides). */
  secondsPerEpoch: number | null;
}

export class GradingEta {
  private run = 0;
  private runEpochs = 0;
  private epochsDone = 0;
  /** Epochs finished in all runs so far, and the wall time they took (first epoch of a run: from its start). */
  private measuredEpochs = 0;
  private measuredMs = 0;
  private lastMark: number;

  constructor(
    private readonly plan: EtaPlan,
    private readonly now: () => number,
  ) {
    this.lastMark = now();
  }

  /** Training `run` (1-based) of `epochs` epochs starts now. */
  startRun(run: number, epochs: number): void {
    this.run = run;
    this.runEpochs = epochs;
    this.epochsDone = 0;
    this.lastMark = this.now();
  }

  /** Epoch `epoch` of the current training finished now; `epochs` when the training says it runs a different count (K-fold's folds). */
  epochDone(epoch: number, epochs = this.runEpochs): void {
    const at = this.now();
    this.runEpochs = epochs;
    this.measuredEpochs += Math.max(1, epoch - this.epochsDone);
    this.measuredMs += at - this.lastMark;
    this.epochsDone = epoch;
    this.lastMark = at;
  }

  /** Seconds one epoch takes by the best knowledge now: measured once there is a measurement, else calibrated. */
  private perEpochSeconds(): number | null {
    if (this.measuredEpochs > 0) return this.measuredMs / 1000 / this.measuredEpochs;
    return this.plan.secondsPerEpoch;
  }

  /**
   * Seconds until the verdict, or null when nothing can be said yet (no calibration and no epoch
   * measured). Later trainings are counted with the current one's epochs: the runs of one grading
   * train the same model or a close variant, and the estimate is corrected as they run.
   */
  secondsLeft(): number | null {
    const perEpoch = this.perEpochSeconds();
    if (perEpoch === null) return null;
    const laterRuns = Math.max(0, this.plan.runs - Math.max(this.run, 1));
    const epochsLeft = Math.max(0, this.runEpochs - this.epochsDone) + laterRuns * this.runEpochs;
    // The epoch in flight has already run for a while.
    const inFlight = epochsLeft > 0 ? Math.min((this.now() - this.lastMark) / 1000, perEpoch) : 0;
    return Math.max(0, epochsLeft * perEpoch - inFlight);
  }
}
