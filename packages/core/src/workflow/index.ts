export * from "./steps";
export * from "./progress";
export * from "./project";
