export { configFromEnv, GraderConfig } from "./config";
export { startGrader, backoffMs, type GraderHandle } from "./worker";
export { gradeClaimedJob, GraderFault } from "./grade";
export { runTrainingChild, type ChildOutcome } from "./sandbox";
export { embeddedDefaults, repoRoot } from "./paths";
export { startCalibration, measureGraderSpeed, slotGflops, TRAINING_EFFICIENCY, type Calibrator, type MeasuredSpeed } from "./calibration";
