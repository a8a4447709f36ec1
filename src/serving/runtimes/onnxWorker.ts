/**
 * One thread of the ONNX pool (see onnx.ts): it owns one InferenceSession and answers infer requests posted by
 * the pool. onnxruntime-node's `run` holds the thread it is called on, which is why a model whose runs are long
 * runs here and not on the server's event loop. Requests that arrive while the session is loading wait for it
 * rather than being dropped, so a replacement worker can take traffic as soon as it is started. Typed arrays
 * travel as transfers. Session opening and tensor conversion are shared with the inline mode (onnx/ortSession.ts).
 */
import { parentPort, workerData } from "node:worker_threads";
import type * as ort from "onnxruntime-node";
import { messageOf, openOrtSession, runOrtSession, type OnnxExecutionProvider } from "../onnx/ortSession.js";
import type { Tensor, TensorSpec } from "../tensor.js";

export type { OnnxExecutionProvider } from "../onnx/ortSession.js";

export interface OnnxWorkerData {
  path: string;
  /** Tried in order; the first that creates a session wins. */
  providers: OnnxExecutionProvider[];
}

export type OnnxWorkerRequest =
  { type: "infer"; id: number; inputs: Tensor[]; outputs: string[] } | { type: "close" };

export type OnnxWorkerReply =
  | {
      type: "ready";
      inputs: TensorSpec[];
      outputs: TensorSpec[];
      /** Outputs that are not tensors (e.g. a ZipMap's sequence of maps): never fetched. */
      skippedOutputs: string[];
      provider: OnnxExecutionProvider;
      /** Why earlier providers were passed over. */
      fallbacks: string[];
    }
  | { type: "failed"; message: string }
  | { type: "result"; id: number; outputs: Tensor[] }
  | { type: "error"; id: number; message: string };

const port = parentPort;
if (port === null) throw new Error("onnxWorker.ts runs as a worker thread only");
const data = workerData as OnnxWorkerData;

const loading: Promise<ort.InferenceSession | undefined> = openOrtSession(data.path, data.providers).then(
  (opened) => {
    port.postMessage({
      type: "ready",
      inputs: opened.inputs,
      outputs: opened.outputs,
      skippedOutputs: opened.skippedOutputs,
      provider: opened.provider,
      fallbacks: opened.fallbacks,
    } satisfies OnnxWorkerReply);
    return opened.session;
  },
  (error: unknown) => {
    port.postMessage({ type: "failed", message: messageOf(error) } satisfies OnnxWorkerReply);
    return undefined;
  },
);

port.on("message", (request: OnnxWorkerRequest) => {
  void loading.then((session) => {
    if (request.type === "close") {
      void (session?.release() ?? Promise.resolve()).finally(() => process.exit(0));
      return;
    }
    if (session !== undefined) void answer(session, request);
  });
});

async function answer(
  session: ort.InferenceSession,
  request: { id: number; inputs: Tensor[]; outputs: string[] },
): Promise<void> {
  try {
    const outputs = await runOrtSession(session, request.inputs, request.outputs);
    const transfer: ArrayBuffer[] = [];
    for (const output of outputs) {
      if (!Array.isArray(output.data)) transfer.push(output.data.buffer as ArrayBuffer);
    }
    port!.postMessage({ type: "result", id: request.id, outputs } satisfies OnnxWorkerReply, transfer);
  } catch (error) {
    port!.postMessage({ type: "error", id: request.id, message: messageOf(error) } satisfies OnnxWorkerReply);
  }
}
