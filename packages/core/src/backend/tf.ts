import type * as tfjs from "@tensorflow/tfjs";

/** The TF.js namespace core functions receive; only `backend/` imports tfjs packages itself. */
export type Tf = typeof tfjs;
