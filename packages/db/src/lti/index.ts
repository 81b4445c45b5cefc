export * from "./platforms";
export * from "./keys";
export * from "./launches";
export * from "./members";
export * from "./passback";
export * from "./roster";
export type * from "./schema";
