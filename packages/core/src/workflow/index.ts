export * from "./steps";
export * from "./progress";
export * from "./project";
export * from "./decisions";
