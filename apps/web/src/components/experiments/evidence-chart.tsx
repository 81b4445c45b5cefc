"use client";

import type { Evidence } from "@stepwise/exercises/experiments";
import { BatchLossEvidence } from "./batch-loss-evidence";
import { BatchesEvidence } from "./batches-evidence";
import { CurveEvidence } from "./curve-evidence";
import { DataSizeEvidence } from "./data-size-evidence";
import { LabelScaleEvidence } from "./label-scale-evidence";
import { LrRangeEvidence } from "./lr-range-evidence";
import { OneFeatureEvidence } from "./one-feature-evidence";
import { OutputsEvidence } from "./outputs-evidence";

/** The chart that fits an experiment's evidence. */
export function EvidenceChart({ evidence }: { evidence: Evidence }) {
  switch (evidence.kind) {
    case "curve":
      return <CurveEvidence evidence={evidence} />;
    case "one-feature":
      return <OneFeatureEvidence evidence={evidence} />;
    case "batches":
      return <BatchesEvidence evidence={evidence} />;
    case "outputs":
      return <OutputsEvidence evidence={evidence} />;
    case "batch-loss":
      return <BatchLossEvidence evidence={evidence} />;
    case "lr-range":
      return <LrRangeEvidence evidence={evidence} />;
    case "label-scale":
      return <LabelScaleEvidence evidence={evidence} />;
    case "data-size":
      return <DataSizeEvidence evidence={evidence} />;
  }
}
