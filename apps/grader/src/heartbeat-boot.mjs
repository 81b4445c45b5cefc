// Worker threads do not inherit tsx's loader: register it here, then run the TypeScript entry.
import { workerData } from "node:worker_threads";
import { tsImport } from "tsx/esm/api";

await tsImport(workerData.entry, import.meta.url);
