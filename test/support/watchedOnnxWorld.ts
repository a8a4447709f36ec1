/** The real ONNX worker start, keeping each thread so a test can watch its messages or stop it. */
import type { Worker } from "node:worker_threads";
import { defaultOnnxWorld, type OnnxWorld } from "../../src/serving/runtimes/onnx.js";

export function watchedOnnxWorld(): OnnxWorld & { workers: Worker[] } {
  const workers: Worker[] = [];
  return {
    workers,
    gpuPresent: () => false,
    startWorker(data) {
      const worker = defaultOnnxWorld.startWorker(data);
      workers.push(worker);
      return worker;
    },
  };
}
