export * from "./steps";
export * from "./progress";
