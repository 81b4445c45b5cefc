import { createRequire } from "node:module";
import * as path from "node:path";
const require = createRequire(import.meta.url);
const tf = await import("@tensorflow/tfjs");
try { await import("@tensorflow/tfjs-node"); console.log("node ok"); } catch (e) { console.log("node failed", String(e).slice(0,200)); }
const wasm = await import("@tensorflow/tfjs-backend-wasm");
const dir = path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json")) + "/dist/";
wasm.setWasmPaths(dir);
console.log(await tf.setBackend("wasm"), tf.getBackend());
const a = tf.randomNormal([512,512]); 
let t=performance.now(); for (let i=0;i<20;i++) tf.matMul(a,a).dataSync(); console.log("plain", (performance.now()-t)/20);
t=performance.now(); for (let i=0;i<20;i++) tf.matMul(a,a,true,false).dataSync(); console.log("tA", (performance.now()-t)/20);
t=performance.now(); for (let i=0;i<20;i++) tf.matMul(a,a,false,true).dataSync(); console.log("tB", (performance.now()-t)/20);
