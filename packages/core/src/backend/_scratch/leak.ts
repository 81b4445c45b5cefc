import { initBackend } from "../index";
import { parseModelSpec } from "../../model";
import { buildModel } from "../../training/harness";
import { releaseRnnMasks, seededSteps } from "../../training/randomness";
import { mulberry32 } from "../../training/rng";
const { tf } = await initBackend({ prefer: ["wasm"] });
for (const cfg of [{ units: 8, unit_forget_bias: false }, { units: 8, recurrent_initializer: "glorot_uniform" }] as any[]) {
const topo = parseModelSpec({ format: "tfjs", topology: { class_name: "Sequential", config: { layers: [{ class_name: "LSTM", config: { ...cfg, batch_input_shape: [null, 5, 16] } }] } } }).topology;
const b0 = tf.memory().numTensors;
const model = await buildModel(tf, topo, 1);
const b1 = tf.memory().numTensors;
const reseed = seededSteps(tf, model, mulberry32(1));
const x = tf.ones([2, 5, 16]);
for (let i = 0; i < 2; i++) { reseed(); const y = model.apply(x, { training: true }) as any; y.dispose(); }
const cell = (model.layers[0] as any).cell;
console.log(JSON.stringify(cfg), "after build", b1 - b0, "after apply", tf.memory().numTensors - b0 - 1, "masks", cell.dropoutMask?.length, cell.recurrentDropoutMask?.length);
releaseRnnMasks(tf, model);
console.log("after release", tf.memory().numTensors - b0 - 1);
model.dispose(); x.dispose();
console.log("after dispose", tf.memory().numTensors - b0);
}
