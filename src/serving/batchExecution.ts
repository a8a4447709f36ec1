/**
 * Where batch inference runs an ONNX model: inline on the main thread, beside the thread that reads the input
 * (tables/workerTableSource.ts), or on a pool of worker threads. loadOnnxModel's "auto" execution times a run
 * of one batch and compares it with the budget below.
 */
import type { InlineProbe } from "./runtimes/onnx.js";

/**
 * The predictions of ONNX models whose runs are this cheap per row are made on the main thread (inline), beside
 * the thread that reads the input; dearer ones on a pool of worker threads. On this 2-core machine the main
 * thread spends about 0.3 µs a row turning a part of a 20-feature Parquet file into tensors and writing it back,
 * and the reading thread about as much decoding it. A model that scores a row in less than that (the small MLP
 * of bench/serving: under 0.1 µs) loses more to a pool than it gains: two threads, each loading onnxruntime,
 * take ~150 ms of CPU to start, and posting every batch to them ~50 ms per million rows. A dearer model keeps
 * cores busy scoring, and the pool's threads score its batches side by side.
 */
export const INLINE_MS_PER_ROW = 0.0005;

/** The timed probe that decides between inline and worker threads for `batchSize`-row runs (see above). */
export function batchInlineProbe(batchSize: number): InlineProbe {
  return { rows: batchSize, belowMs: batchSize * INLINE_MS_PER_ROW };
}
