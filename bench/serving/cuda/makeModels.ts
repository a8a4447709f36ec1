/**
 * The models of the CUDA check (check.sh): `small`, the serving benchmark's size of tabular MLP (16 features, 32
 * hidden, 3 classes), and `wide` (64 features, 2048 hidden, 16 classes), big enough per row that a batch on the
 * GPU has work to do. Each is a bare model.onnx in its own directory, as `flowops serve` and `predict` take.
 * Usage: node --import tsx bench/serving/cuda/makeModels.ts <out-dir>
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { argv } from "node:process";
import { mlpOnnx } from "../../../src/serving/onnx/onnxModelWriter.js";

const out = argv[2];
if (out === undefined) throw new Error("usage: makeModels.ts <out-dir>");
const models = {
  small: { inputs: 16, hidden: 32, outputs: 3, seed: 5 },
  wide: { inputs: 64, hidden: 2048, outputs: 16, seed: 7 },
};
for (const [name, sizes] of Object.entries(models)) {
  mkdirSync(join(out, name), { recursive: true });
  writeFileSync(join(out, name, "model.onnx"), mlpOnnx(sizes).bytes);
}
