import { initBackend } from "../index";
const { tf, backend, skipped } = await initBackend({prefer: (process.env.P ?? "tensorflow,wasm").split(",") as any});
console.log(backend, skipped);
const a = tf.randomNormal([512,512]);
for (const [ta,tb] of [[false,false],[true,false],[false,true]] as const) {
  tf.matMul(a,a,ta,tb).dataSync();
  const t=performance.now(); for (let i=0;i<20;i++) tf.tidy(()=>tf.matMul(a,a,ta,tb).dataSync()); console.log(ta,tb, ((performance.now()-t)/20).toFixed(1),"ms");
}
// correctness
const x = tf.randomNormal([3,5,7]), y = tf.randomNormal([3,4,7]);
const r1 = tf.matMul(x,y,false,true); const r2 = tf.matMul(x, tf.transpose(y,[0,2,1]));
console.log("diff", tf.max(tf.abs(tf.sub(r1,r2))).dataSync()[0]);
// conv grad
const f = (w: any) => tf.conv2d(tf.ones([1,5,5,2]) as any, w, 1, "valid").sum();
const g = tf.grad(f)(tf.ones([3,3,2,4]));
console.log("conv grad", g.shape, g.dataSync()[0]);
console.log(tf.memory().numTensors);
