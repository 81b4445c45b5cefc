import { initBackend } from "../index";
const { tf } = await initBackend({ prefer: ["wasm"] });
const cpuGrad = async () => 0;
for (const [shape, f, s, pad] of [[[64,28,28,1],[3,3,1,4],1,"valid"],[[8,13,11,3],[3,2,3,5],2,"same"],[[4,10,10,2],[5,5,2,3],3,"valid"],[[2,9,7,3],[4,3,3,2],2,"same"]] as const) {
  const x = tf.randomNormal(shape as any, 0, 1, "float32", 1); const w = tf.randomNormal(f as any, 0, 1, "float32", 2);
  const loss = (ww: any) => tf.conv2d(x as any, ww, s, pad as any).square().sum();
  const t = performance.now(); const g = tf.grad(loss)(w); const gw = g.dataSync(); const ms = performance.now() - t;
  await tf.setBackend("cpu");
  const x2 = tf.tensor(x.dataSync(), x.shape); const w2 = tf.tensor(w.dataSync(), w.shape);
  const g2 = tf.grad((ww: any) => tf.conv2d(x2 as any, ww, s, pad as any).square().sum())(w2).dataSync();
  await tf.setBackend("wasm");
  let maxd = 0; for (let i = 0; i < gw.length; i++) maxd = Math.max(maxd, Math.abs(gw[i]! - g2[i]!) / (1 + Math.abs(g2[i]!)));
  console.log(shape, f, s, pad, "maxRelDiff", maxd.toExponential(2), ms.toFixed(1), "ms");
}
