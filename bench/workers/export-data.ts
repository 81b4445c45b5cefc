/**
 * Writes the training inputs exactly as the harness sees them, for PyTorch to train on the same
 * numbers. MNIST: float32 rows (n × 784). IMDB: the multi-hot rows in CSR form (row pointers +
 * column indices of the ones), because the dense 25,000 × 10,000 float32 matrix would be 1 GB.
 * Input (argv[2], JSON): { outDir, cacheDir }.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type ExampleSet } from "@stepwise/core/datasets";
import { loadImdbTrain, loadMnistSet } from "@stepwise/core/datasets/node";
import { emitResult } from "../lib/child";

const { outDir, cacheDir } = JSON.parse(process.argv[2] ?? "{}") as { outDir: string; cacheDir: string };
const all = (n: number) => Int32Array.from({ length: n }, (_, i) => i);
const write = (name: string, array: Float32Array | Int32Array) =>
  writeFileSync(join(outDir, name), new Uint8Array(array.buffer, array.byteOffset, array.byteLength));

function labels(set: ExampleSet): Int32Array {
  if (!set.labels) throw new Error("expected a labelled training set, got one without labels");
  return Int32Array.from(set.labels);
}

const mnist = loadMnistSet("train");
const mnistX = new Float32Array(mnist.n * mnist.inputSize);
mnist.gatherInputs(all(mnist.n), mnistX);
write("mnist-x.f32", mnistX);
write("mnist-y.i32", labels(mnist));

const imdb = loadImdbTrain({ cacheDir });
const chunk = 500;
const row = new Float32Array(chunk * imdb.inputSize);
const pointers = new Int32Array(imdb.n + 1);
const columns: number[] = [];
for (let start = 0; start < imdb.n; start += chunk) {
  const count = Math.min(chunk, imdb.n - start);
  imdb.gatherInputs(
    Int32Array.from({ length: count }, (_, i) => start + i),
    row.subarray(0, count * imdb.inputSize),
  );
  for (let r = 0; r < count; r++) {
    const base = r * imdb.inputSize;
    for (let c = 0; c < imdb.inputSize; c++) {
      const v = row[base + c] ?? 0;
      if (v === 1) columns.push(c);
      else if (v !== 0) throw new Error(`IMDB multi-hot rows must hold 0 or 1, got ${v} at row ${start + r}`);
    }
    pointers[start + r + 1] = columns.length;
  }
}
write("imdb-ptr.i32", pointers);
write("imdb-col.i32", Int32Array.from(columns));
write("imdb-y.i32", labels(imdb));
emitResult({ mnist: { n: mnist.n, width: mnist.inputSize }, imdb: { n: imdb.n, width: imdb.inputSize, ones: columns.length } });
