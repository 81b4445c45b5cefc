/**
 * Step 7's toolbox in grading: a real step-7 MNIST submission with data augmentation and early
 * stopping graded on a small real slice, and the submissions the assignment's rules refuse before
 * anything trains (an `invalid` verdict that costs no attempt).
 */
import { describe, expect, it } from "vitest";
import { BudgetError, SubmissionPayload, ValidationError } from "@stepwise/core/contracts";
import { initBackend } from "@stepwise/core/backend";
import { getExercise } from "../src";
import type { Technique } from "../src/course";
import type { JsonObject } from "@stepwise/core/model";
import { gradeLocally, prepareTraining, toolboxMetrics, trainAndPredict } from "../src/grading";
import { solutions } from "../src/solutions";
import { cacheDir, withFitSettings } from "./experiment-models";

const slice = { trainLimit: 2_000, testLimit: 1_000 };

function reference(id: string): SubmissionPayload {
  const payload = solutions[id]?.reference;
  if (!payload) throw new Error(`no reference solution for ${id}`);
  return payload;
}

const mnist = getExercise("mnist-regularize");
const step6 = reference("mnist-overfit");
const augmentation = { shift: 2, rotation: 10, zoom: 0.1 };
const earlyStopping = { patience: 3, restoreBestWeights: true };
/** The student's step-6 model (512-512, no dropout), regularized by the toolbox alone: augmentation and early stopping. */
const withToolbox = withFitSettings({ ...step6, exerciseId: "mnist-regularize" }, { epochs: 15, augmentation, earlyStopping });

describe("a step-7 MNIST submission with augmentation and early stopping", () => {
  it("passes on a real slice; the verdict names the augmentation and the epochs early stopping chose for the final model", async () => {
    const tf = await initBackend();
    // The full-data target (0.975) is out of reach on 2,000 examples, as in solutions-regrade.ts.
    const verdict = await gradeLocally({ ...mnist, target: 0.75 }, withToolbox, { ...tf, slice, cacheDir, previous: step6 });
    expect(verdict.status, verdict.summary).toBe("passed");
    expect(verdict.checks.find((c) => c.id === "smaller-gap")?.passed).toBe(true);
    expect(verdict.metrics.augmentationShift).toMatchObject({
      value: 2,
      label: expect.stringMatching(/augmentation of training batches/) as unknown,
    });
    expect(verdict.metrics.augmentationRotation?.value).toBe(10);
    expect(verdict.metrics.augmentationZoom?.value).toBe(0.1);
    // The curves are the comparison run's: the final model trained for its epoch of lowest validation loss.
    const history = verdict.curves.history;
    const losses = history.map((h) => h.valLoss ?? Number.POSITIVE_INFINITY);
    const best = losses.indexOf(Math.min(...losses)) + 1;
    const final = verdict.metrics.finalEpochs;
    expect(final?.value).toBe(best);
    expect(final?.label).toMatch(new RegExp(`restored the weights of epoch ${best}.*trains ${best} epoch`));
    // This model overfits the slice within 15 epochs even with augmentation: patience runs out.
    expect(history.length).toBe(best + 3);
    expect(final?.label).toMatch(new RegExp(`stopped the comparison run at epoch ${history.length}`));
    expect(verdict.metrics.testAccuracy?.value).toBeGreaterThan(0.75);
  });
});

describe("refused before training, naming the technique and the rule", () => {
  const imdb = getExercise("imdb-regularize");
  const imdbWithAugmentation = withFitSettings(reference("imdb-regularize"), { augmentation });

  it.each([
    [
      "augmentation when the toolbox allows only early stopping",
      mnist,
      withToolbox,
      ["early-stopping"] as Technique[],
      /Your instructor has not allowed data augmentation \(augmentation\) on this assignment; its toolbox allows early-stopping: remove `augmentation`/,
    ],
    [
      "early stopping when the toolbox allows nothing",
      mnist,
      // The step-6 model, not the step-7 reference: that one also augments, which would be refused first.
      withFitSettings({ ...step6, exerciseId: "mnist-regularize" }, { earlyStopping }),
      [] as Technique[],
      /not allowed early stopping \(early-stopping\) on this assignment; its toolbox allows none of the techniques: remove `earlyStopping`/,
    ],
    [
      "augmentation of IMDB reviews",
      imdb,
      imdbWithAugmentation,
      undefined,
      /Data augmentation applies to images \(MNIST\); this dataset's examples are movie reviews/,
    ],
    [
      "augmentation at step 5",
      getExercise("mnist-beat-baseline"),
      withFitSettings(reference("mnist-beat-baseline"), { augmentation }),
      undefined,
      /part of step 7's regularization toolbox; step 5 trains the model as it is/,
    ],
    [
      "early stopping with no validation split",
      mnist,
      withFitSettings(reference("mnist-regularize"), { earlyStopping, validationSplit: 0 }),
      undefined,
      /Early stopping watches validation loss.*set a validation split above 0 \(e\.g\. 0\.2\) or use K-fold/,
    ],
  ])("%s", async (_what, exercise, payload, toolbox, message) => {
    const options = toolbox ? { toolbox } : {};
    expect(() => prepareTraining(exercise, payload, exercise.seed, options)).toThrow(ValidationError);
    expect(() => prepareTraining(exercise, payload, exercise.seed, options)).toThrow(message);
    // Graded, it is an `invalid` verdict before any data is read or anything trains.
    const tf = await initBackend();
    const verdict = await gradeLocally(exercise, payload, { ...tf, slice, cacheDir, previous: step6, ...options });
    expect(verdict.status).toBe("invalid");
    expect(verdict.summary).toMatch(message);
    expect(verdict.summary).toMatch(/costs no attempt/);
  });

  it("allows what the toolbox allows", () => {
    expect(() => prepareTraining(mnist, withToolbox, mnist.seed, { toolbox: ["augmentation", "early-stopping"] })).not.toThrow();
    expect(() => prepareTraining(mnist, withToolbox, mnist.seed)).not.toThrow();
  });

  it("counts augmentation's own cost in the time estimate", () => {
    const plain = withFitSettings({ ...step6, exerciseId: "mnist-regularize" }, { epochs: 15 });
    const augmented = withFitSettings(plain, { augmentation });
    // The slowest grader at which the plain model fits, found by bisection: augmentation then tips it over.
    const fits = (payload: SubmissionPayload, gflops: number) => {
      try {
        prepareTraining(mnist, payload, mnist.seed, { graderGflops: gflops });
        return true;
      } catch (error) {
        if (error instanceof BudgetError) return false;
        throw error;
      }
    };
    let low = 1e-3;
    let high = 1e3;
    for (let i = 0; i < 50; i++) {
      const mid = Math.sqrt(low * high);
      if (fits(plain, mid)) high = mid;
      else low = mid;
    }
    expect(fits(plain, high)).toBe(true);
    expect(() => prepareTraining(mnist, augmented, mnist.seed, { graderGflops: high })).toThrow(
      /seconds \([\d.]+ of them augmenting images\); this exercise allows 900/,
    );
    // At a tenth more speed the model's share shrinks enough for augmentation's fixed cost to fit.
    expect(() => prepareTraining(mnist, augmented, mnist.seed, { graderGflops: high * 1.1 })).not.toThrow();
  });
});

describe("K-fold with early stopping", () => {
  it("stops each fold on its own validation fold, then trains the final model for the folds' mean epoch", async () => {
    const { tf, backend, tfjsVersion } = await initBackend();
    const payload = withFitSettings(
      { ...step6, exerciseId: "mnist-regularize" },
      { epochs: 30, batchSize: 32, earlyStopping: { patience: 2, restoreBestWeights: true } },
    );
    const training = { ...payload.training, validation: { kind: "kfold", folds: 3 } };
    const prepared = prepareTraining(mnist, SubmissionPayload.parse({ ...payload, training }), mnist.seed);
    const epochs: number[] = [];
    const { report, predictions } = await trainAndPredict(tf, {
      topology: prepared.topology as JsonObject,
      training: prepared.training,
      dataset: prepared.dataset,
      slice: { trainLimit: 600, testLimit: 100 },
      task: prepared.task,
      seed: mnist.seed,
      maxSeconds: 300,
      cacheDir,
      backend,
      tfjsVersion,
      onEpoch: (metrics) => epochs.push(metrics.epoch),
    });
    const finalEpochs = report.kfold?.finalEpochs ?? 0;
    // 512-512 without dropout overfits 400 examples within a few epochs: every fold stops long before 30.
    expect(finalEpochs).toBeGreaterThanOrEqual(1);
    expect(finalEpochs).toBeLessThan(15);
    // Epochs stream with one running count over the K + 1 trainings; the final model's come after 3 × 30.
    expect(epochs.filter((e) => e > 90)).toEqual(Array.from({ length: finalEpochs }, (_, i) => 91 + i));
    expect(epochs.filter((e) => e <= 90).length).toBeLessThan(3 * 15);
    expect(predictions).toHaveLength(100);
    expect(toolboxMetrics(prepared.training, report).finalEpochs?.label).toMatch(/mean over the 3 folds/);
  });
});
