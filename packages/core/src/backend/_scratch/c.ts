import { createRequire } from "node:module";
import * as path from "node:path";
import { registerWasmKernels } from "../wasm-kernels";
const require = createRequire(import.meta.url);
const tf = await import("@tensorflow/tfjs");
const wasm = await import("@tensorflow/tfjs-backend-wasm");
const dir = path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json")) + "/dist/";
wasm.setWasmPaths(dir);
await tf.setBackend("wasm");
const a = tf.randomNormal([512,512]);
const run = (label: string) => {
for (const [ta,tb] of [[false,false],[true,false],[false,true]] as const) {
  tf.matMul(a,a,ta,tb).dataSync();
  const t=performance.now(); for (let i=0;i<20;i++) tf.tidy(()=>tf.matMul(a,a,ta,tb).dataSync()); console.log(label, ta,tb, ((performance.now()-t)/20).toFixed(1),"ms");
}};
run("before");
console.log(registerWasmKernels(tf));
run("after");
