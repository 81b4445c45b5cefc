export * from "./training";
export * from "./model";
export * from "./verdict";
export * from "./submission";
export * from "./exercise";
export * from "./errors";
export * from "./visibility";
export * from "./decisions";
