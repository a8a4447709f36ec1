/**
 * One thread of the ONNX pool (see onnx.ts): it owns one InferenceSession and answers infer requests posted by
 * the pool. onnxruntime-node's `run` holds the thread it is called on, which is why it runs here and not on the
 * server's event loop. Requests that arrive while the session is loading wait for it rather than being dropped,
 * so a replacement worker can take traffic as soon as it is started. Typed arrays travel as transfers.
 */
import { parentPort, workerData } from "node:worker_threads";
import * as ort from "onnxruntime-node";
import type { Tensor, TensorSpec } from "../tensor.js";
import {
  datatypeOfOrtType,
  ortTypeOfDatatype,
  specOfMetadata,
  type OrtValueMetadata,
} from "../onnx/ortDatatypes.js";

export type OnnxExecutionProvider = "cuda" | "cpu";

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

interface Loaded {
  session: ort.InferenceSession;
}

const port = parentPort;
if (port === null) throw new Error("onnxWorker.ts runs as a worker thread only");
const data = workerData as OnnxWorkerData;

const loading: Promise<Loaded | undefined> = load(data).then(
  (loaded) => loaded,
  (error: unknown) => {
    port.postMessage({ type: "failed", message: messageOf(error) } satisfies OnnxWorkerReply);
    return undefined;
  },
);

port.on("message", (request: OnnxWorkerRequest) => {
  void loading.then((loaded) => {
    if (request.type === "close") {
      void (loaded?.session.release() ?? Promise.resolve()).finally(() => process.exit(0));
      return;
    }
    if (loaded !== undefined) void answer(loaded.session, request);
  });
});

async function load({ path, providers }: OnnxWorkerData): Promise<Loaded> {
  const fallbacks: string[] = [];
  for (const [index, provider] of providers.entries()) {
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(path, {
        executionProviders: [provider],
        // One thread per session: the pool's parallelism is its threads, so sessions must not compete for cores.
        intraOpNumThreads: 1,
        interOpNumThreads: 1,
        logSeverityLevel: 3,
      });
    } catch (error) {
      if (index === providers.length - 1) throw error;
      fallbacks.push(`${provider}: ${messageOf(error)}`);
      continue;
    }
    reportReady(session, provider, fallbacks);
    return { session };
  }
  throw new Error("no execution provider was requested");
}

function reportReady(
  session: ort.InferenceSession,
  provider: OnnxExecutionProvider,
  fallbacks: string[],
): void {
  const inputs = session.inputMetadata.map((metadata) => specOfMetadata(metadata as OrtValueMetadata));
  const badInput = inputs.find((spec) => "unsupported" in spec);
  if (badInput !== undefined && "unsupported" in badInput) {
    throw new Error(`input '${badInput.name}' is ${badInput.unsupported}, which FlowOps cannot feed`);
  }
  const outputs: TensorSpec[] = [];
  const skippedOutputs: string[] = [];
  for (const metadata of session.outputMetadata) {
    const spec = specOfMetadata(metadata as OrtValueMetadata);
    if ("unsupported" in spec) skippedOutputs.push(spec.name);
    else outputs.push(spec);
  }
  if (outputs.length === 0) throw new Error("the model has no tensor outputs");
  port!.postMessage({
    type: "ready",
    inputs: inputs as TensorSpec[],
    outputs,
    skippedOutputs,
    provider,
    fallbacks,
  } satisfies OnnxWorkerReply);
}

async function answer(
  session: ort.InferenceSession,
  request: { id: number; inputs: Tensor[]; outputs: string[] },
) {
  try {
    const feeds: Record<string, ort.Tensor> = {};
    for (const input of request.inputs) {
      feeds[input.name] = new ort.Tensor(ortTypeOfDatatype(input.datatype), input.data, input.shape);
    }
    const results = await session.run(feeds, request.outputs);
    const outputs: Tensor[] = [];
    const transfer: ArrayBuffer[] = [];
    for (const name of request.outputs) {
      const value = results[name] as ort.Tensor;
      const datatype = datatypeOfOrtType(value.type);
      if (datatype === undefined) throw new Error(`output '${name}' has tensor type ${value.type}`);
      const tensorData = ownedData(value.data as Tensor["data"]);
      if (!Array.isArray(tensorData)) transfer.push(tensorData.buffer as ArrayBuffer);
      outputs.push({ name, datatype, shape: [...value.dims], data: tensorData });
    }
    port!.postMessage({ type: "result", id: request.id, outputs } satisfies OnnxWorkerReply, transfer);
  } catch (error) {
    port!.postMessage({ type: "error", id: request.id, message: messageOf(error) } satisfies OnnxWorkerReply);
  }
}

/** A typed array that spans its whole buffer, so transferring the buffer moves exactly this tensor. */
function ownedData(data: Tensor["data"]): Tensor["data"] {
  if (Array.isArray(data)) return data;
  const whole = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
  return whole && data.buffer instanceof ArrayBuffer ? data : data.slice();
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
