/**
 * One onnxruntime-node InferenceSession and the conversions around it, shared by the two places a session runs:
 * a pool worker thread (runtimes/onnxWorker.ts) and the server's own event loop (inlineSession.ts). Opening tries
 * the execution providers in order; describing turns the session's metadata into tensor specs; running turns
 * FlowOps tensors into onnxruntime feeds and the fetched outputs back. It does not validate requests against the
 * specs (the model does that before a request reaches either place).
 */
import * as ort from "onnxruntime-node";
import type { Tensor, TensorSpec } from "../tensor.js";
import {
  datatypeOfOrtType,
  ortTypeOfDatatype,
  specOfMetadata,
  type OrtValueMetadata,
} from "./ortDatatypes.js";

export type OnnxExecutionProvider = "cuda" | "cpu";

export interface OrtSessionDescription {
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  /** Outputs that are not tensors (e.g. a ZipMap's sequence of maps): never fetched. */
  skippedOutputs: string[];
}

export interface OpenedOrtSession extends OrtSessionDescription {
  session: ort.InferenceSession;
  provider: OnnxExecutionProvider;
  /** Why earlier providers were passed over. */
  fallbacks: string[];
}

/** Creates a session with the first provider that accepts the model; the last provider's error is thrown as is. */
export async function openOrtSession(
  path: string,
  providers: readonly OnnxExecutionProvider[],
): Promise<OpenedOrtSession> {
  const fallbacks: string[] = [];
  for (const [index, provider] of providers.entries()) {
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(path, {
        executionProviders: [provider],
        // One thread per session: a pool's parallelism is its threads, and an inline session shares its core
        // with the HTTP server, so a session must not start threads of its own that compete for cores.
        intraOpNumThreads: 1,
        interOpNumThreads: 1,
        logSeverityLevel: 3,
      });
    } catch (error) {
      if (index === providers.length - 1) throw error;
      fallbacks.push(`${provider}: ${messageOf(error)}`);
      continue;
    }
    try {
      return { session, provider, fallbacks, ...describeOrtSession(session) };
    } catch (error) {
      await session.release();
      throw error;
    }
  }
  throw new Error("no execution provider was requested");
}

/** The session's inputs and tensor outputs; throws when an input cannot be fed or no output is a tensor. */
export function describeOrtSession(session: ort.InferenceSession): OrtSessionDescription {
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
  return { inputs: inputs as TensorSpec[], outputs, skippedOutputs };
}

/**
 * Runs the session on `inputs` and returns the `outputs` asked for, each with data that spans its own whole
 * buffer, so a worker can transfer exactly that tensor and an inline caller holds nothing larger.
 */
export async function runOrtSession(
  session: ort.InferenceSession,
  inputs: readonly Tensor[],
  outputs: readonly string[],
): Promise<Tensor[]> {
  const feeds: Record<string, ort.Tensor> = {};
  for (const input of inputs) {
    feeds[input.name] = new ort.Tensor(ortTypeOfDatatype(input.datatype), input.data, input.shape);
  }
  const results = await session.run(feeds, outputs);
  const tensors: Tensor[] = [];
  for (const name of outputs) {
    const value = results[name] as ort.Tensor;
    const datatype = datatypeOfOrtType(value.type);
    if (datatype === undefined) throw new Error(`output '${name}' has tensor type ${value.type}`);
    tensors.push({ name, datatype, shape: [...value.dims], data: ownedData(value.data as Tensor["data"]) });
  }
  return tensors;
}

function ownedData(data: Tensor["data"]): Tensor["data"] {
  if (Array.isArray(data)) return data;
  const whole = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
  return whole && data.buffer instanceof ArrayBuffer ? data : data.slice();
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
