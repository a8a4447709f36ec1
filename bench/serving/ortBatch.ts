/**
 * The batch anchor in Node: onnxruntime-node's own InferenceSession over the benchmark rows, already in memory
 * as one Float32Array, in batches, one run() after another. Prints {rows, seconds, rowsPerSecond} as JSON.
 * Only the run() loop is timed (not building the rows or loading the session): this is the ceiling that
 * `flowops predict`, which also parses CSV and writes CSV, is judged against.
 *
 *   node --import tsx bench/serving/ortBatch.ts MODEL.onnx --rows 1000000 --features 20 --batch-size 8192
 *        [--input input] [--threads 0]     (0 = onnxruntime's default intra-op threads: one per core)
 */
import { parseArgs } from "node:util";
import ort from "onnxruntime-node";
import { featureMatrix } from "./featureRows.js";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    rows: { type: "string", default: "1000000" },
    features: { type: "string", default: "20" },
    "batch-size": { type: "string", default: "8192" },
    input: { type: "string", default: "input" },
    threads: { type: "string", default: "0" },
  },
});
const modelPath = positionals[0];
if (modelPath === undefined) throw new Error("ortBatch needs the model.onnx path");
const rows = Number(values.rows);
const features = Number(values.features);
const batchSize = Number(values["batch-size"]);
const threads = Number(values.threads);

const data = featureMatrix(rows, features);
const session = await ort.InferenceSession.create(
  modelPath,
  threads > 0 ? { intraOpNumThreads: threads } : {},
);
const started = performance.now();
for (let offset = 0; offset < rows; offset += batchSize) {
  const n = Math.min(batchSize, rows - offset);
  const slice = data.subarray(offset * features, (offset + n) * features);
  const feeds = { [values.input]: new ort.Tensor("float32", slice, [n, features]) };
  await session.run(feeds);
}
const seconds = (performance.now() - started) / 1000;
await session.release();
process.stdout.write(`${JSON.stringify({ rows, seconds, rowsPerSecond: rows / seconds })}\n`);
