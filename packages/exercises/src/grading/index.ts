export * from "./data";
export * from "./prepare";
export * from "./score";
export * from "./verdicts";
export * from "./run";
export * from "./local";
export * from "./score-overfit";
export * from "./regularize";
