/**
 * A tracking server with the embedded delivery stack over real ONNX models, for the fault-injection tests
 * and bench/delivery. Candidates misbehave the way production models do: `flipped` is a real model whose
 * last layer is negated (its predictions flip), `errors` and `slow` wrap the healthy model to fail every
 * call or to answer 250 ms late. Traffic is driven over loopback HTTP at a fixed rate.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import type { FastifyInstance } from "fastify";
import { openMetadataDb, type MetadataDb } from "../../src/db/connect.js";
import type {
  DeliveryController,
  DeploymentStatus,
} from "../../src/delivery/deployments/deliveryController.js";
import { createEmbeddedDelivery } from "../../src/delivery/deployments/embeddedDelivery.js";
import type { ModelLoader } from "../../src/delivery/routing/endpointRegistry.js";
import { FlowOpsError } from "../../src/errors.js";
import { buildServer } from "../../src/server/app.js";
import type { ServerContext } from "../../src/server/context.js";
import { loadModel } from "../../src/serving/loadModel.js";
import { mlpOnnx } from "../../src/serving/onnx/onnxModelWriter.js";
import type { LoadedModel } from "../../src/serving/runtime.js";

export const FEATURES = 4;
export type CandidateKind = "healthy" | "flipped" | "errors" | "slow";
export const SLOW_CANDIDATE_MS = 250;

/** Model directories (a bare model.onnx each) under `dir`, keyed by what they do. */
export async function writeHarnessModels(
  dir: string,
): Promise<Record<CandidateKind | "stable" | "sharper", string>> {
  const base = mlpOnnx({ inputs: FEATURES, hidden: 8, outputs: 2, seed: 7 });
  const negate = (values: Float32Array): Float32Array => values.map((v) => -v);
  const flipped = mlpOnnx({
    inputs: FEATURES,
    hidden: 8,
    outputs: 2,
    weights: { ...base.weights, w2: negate(base.weights.w2), b2: negate(base.weights.b2) },
  });
  // The same decisions with more confident probabilities: agrees with stable on every row, yet its
  // answers tell which model gave them.
  const double = (values: Float32Array): Float32Array => values.map((v) => v * 2);
  const sharper = mlpOnnx({
    inputs: FEATURES,
    hidden: 8,
    outputs: 2,
    weights: { ...base.weights, w2: double(base.weights.w2), b2: double(base.weights.b2) },
  });
  const bytesOf: Record<string, Uint8Array> = { flipped: flipped.bytes, sharper: sharper.bytes };
  const dirs = {
    stable: join(dir, "stable"),
    sharper: join(dir, "sharper"),
    healthy: join(dir, "healthy"),
    flipped: join(dir, "flipped"),
    errors: join(dir, "fault-errors"),
    slow: join(dir, "fault-slow"),
  };
  for (const [kind, path] of Object.entries(dirs)) {
    await mkdir(path, { recursive: true });
    await writeFile(join(path, "model.onnx"), bytesOf[kind] ?? base.bytes);
  }
  return dirs;
}

/** Loads the model directory, wrapping the `fault-*` ones so every call fails or answers late. */
export const faultInjectingLoader: ModelLoader = async (key, endpoint) => {
  const model = await loadModel(key, { name: endpoint, workers: 1 });
  const kind = basename(key);
  if (kind === "fault-errors") {
    return wrap(model, async () => {
      throw new FlowOpsError("INTERNAL_ERROR", `injected fault: ${key} fails every call`);
    });
  }
  if (kind === "fault-slow") {
    return wrap(model, async (inputs) => {
      await new Promise((resolve) => setTimeout(resolve, SLOW_CANDIDATE_MS));
      return model.infer(inputs);
    });
  }
  return model;
};

function wrap(model: LoadedModel, infer: LoadedModel["infer"]): LoadedModel {
  return {
    name: model.name,
    version: model.version,
    platform: model.platform,
    inputs: model.inputs,
    outputs: model.outputs,
    ready: () => model.ready(),
    infer,
    close: () => model.close(),
  };
}

export interface DeliveryHarness {
  url: string;
  app: FastifyInstance;
  delivery: DeliveryController;
  meta: MetadataDb;
  /** Stops the server and the controller but keeps the database file (for restart tests). */
  stop(): Promise<void>;
}

/**
 * Wraps a loader so the rows each model computes are counted by model key (mirrored and compared rows
 * included); rows, not calls, because the dynamic batcher merges concurrent requests into one call.
 */
export function countingLoader(loader: ModelLoader, rows: Map<string, number>): ModelLoader {
  return async (key, endpoint) => {
    const model = await loader(key, endpoint);
    return wrap(model, (inputs, options) => {
      rows.set(key, (rows.get(key) ?? 0) + (inputs[0]?.shape[0] ?? 0));
      return model.infer(inputs, options);
    });
  };
}

export async function startDeliveryHarness(
  dbFile: string,
  tickMs = 100,
  options: { loader?: ModelLoader } = {},
): Promise<DeliveryHarness> {
  const meta = await openMetadataDb(`sqlite:///${dbFile}`);
  let url = "";
  const delivery = createEmbeddedDelivery({
    meta,
    trackingUri: () => url,
    loader: options.loader ?? faultInjectingLoader,
    tickMs,
  });
  const ctx: ServerContext = {
    config: {
      host: "127.0.0.1",
      port: 0,
      backendStoreUri: `sqlite:///${dbFile}`,
      defaultArtifactRoot: "mlflow-artifacts:/",
      artifactsDestination: join(dbFile, "..", "artifacts"),
      serveArtifacts: true,
      bodyLimit: 16 * 1024 * 1024,
    },
    meta,
    now: () => Date.now(),
    delivery,
  };
  const app = await buildServer(ctx, { logger: false });
  url = await app.listen({ host: "127.0.0.1", port: 0 });
  await delivery.resume();
  delivery.start();
  return {
    url,
    app,
    delivery,
    meta,
    async stop() {
      await app.close();
      await delivery.close();
      await meta.close();
    },
  };
}

/** A V2 request body of `rows` rows, the same for every call so agreement is judged on like inputs. */
export function inferBody(seed: number): string {
  const data = Array.from({ length: FEATURES }, (_, i) => Math.sin(seed * 7.3 + i) * 2);
  return JSON.stringify({ inputs: [{ name: "input", shape: [1, FEATURES], datatype: "FP32", data }] });
}

export interface TrafficTally {
  sent: number;
  ok: number;
  failed: number;
  byStatus: Map<number, number>;
}

export interface TrafficOptions {
  /** The path requests go to (a V2 body is sent); `/v2/models/<endpoint>/infer` by default. */
  path?: string;
  /** The `inferBody` seed of request `n`; `n` itself by default. */
  seedOf?: (n: number) => number;
  /** Extra headers of request `n`. */
  headers?: (n: number) => Record<string, string>;
  /** Sees every answer with its body. */
  onAnswer?: (n: number, response: Response, body: string) => void;
}

/**
 * Sends `rps` requests per second to the endpoint until `stop()` is called, each on its own schedule (an
 * open loop, so a slow answer does not slow the offered load).
 */
export function startTraffic(
  url: string,
  endpoint: string,
  rps: number,
  options: TrafficOptions = {},
): { tally: TrafficTally; stop(): Promise<void> } {
  const tally: TrafficTally = { sent: 0, ok: 0, failed: 0, byStatus: new Map() };
  const inFlight = new Set<Promise<void>>();
  const started = performance.now();
  let stopped = false;
  const target = `${url}${options.path ?? `/v2/models/${endpoint}/infer`}`;
  const fire = (): void => {
    const n = tally.sent++;
    const request = fetch(target, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-user-id": `user-${n % 500}`,
        ...options.headers?.(n),
      },
      body: inferBody(options.seedOf?.(n) ?? n),
    })
      .then(async (response) => {
        const text = await response.text();
        options.onAnswer?.(n, response, text);
        tally.byStatus.set(response.status, (tally.byStatus.get(response.status) ?? 0) + 1);
        if (response.ok) tally.ok++;
        else tally.failed++;
      })
      .catch(() => {
        tally.failed++;
      })
      .finally(() => inFlight.delete(request));
    inFlight.add(request);
  };
  const timer = setInterval(() => {
    if (stopped) return;
    const due = Math.floor(((performance.now() - started) / 1000) * rps);
    while (tally.sent < due) fire();
  }, 5);
  return {
    tally,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await Promise.all(inFlight);
    },
  };
}

/** One answer of the data plane: status, the request id it echoed, and the first row's probabilities. */
export interface EndpointAnswer {
  status: number;
  requestId: string | null;
  probabilities: number[];
  body: unknown;
}

/** The class a row of probabilities predicts (argmax). */
export function predictedClass(probabilities: readonly number[]): number {
  let best = 0;
  probabilities.forEach((p, i) => {
    if (p > (probabilities[best] ?? -Infinity)) best = i;
  });
  return best;
}

/** Posts a V2 request (`inferBody(seed)`) to `path` of the server. */
export async function postV2(
  url: string,
  path: string,
  seed: number,
  headers: Record<string, string> = {},
): Promise<EndpointAnswer> {
  const response = await fetch(`${url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: inferBody(seed),
  });
  const body = (await response.json()) as { outputs?: { name: string; data: number[] }[] };
  const probabilities = body.outputs?.find((o) => o.name === "probabilities")?.data ?? [];
  return { status: response.status, requestId: response.headers.get("x-request-id"), probabilities, body };
}

/** Posts the same row as `inferBody(seed)` as MLflow scoring's `dataframe_split` to `path`. */
export async function postMlflow(
  url: string,
  path: string,
  seed: number,
  headers: Record<string, string> = {},
): Promise<EndpointAnswer> {
  const row = Array.from({ length: FEATURES }, (_, i) => Math.sin(seed * 7.3 + i) * 2);
  const response = await fetch(`${url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({
      dataframe_split: { columns: Array.from({ length: FEATURES }, (_, i) => `f${i}`), data: [row] },
    }),
  });
  const body = (await response.json()) as { predictions?: unknown };
  return {
    status: response.status,
    requestId: response.headers.get("x-request-id"),
    probabilities: firstRowProbabilities(body.predictions),
    body,
  };
}

/** MLflow's predictions come as rows, or as columns by output name; the probabilities of the first row. */
function firstRowProbabilities(predictions: unknown): number[] {
  if (Array.isArray(predictions)) {
    const first: unknown = predictions[0];
    if (Array.isArray(first)) return first as number[];
    if (first !== null && typeof first === "object") {
      const value = (first as Record<string, unknown>).probabilities;
      return Array.isArray(value) ? (value as number[]) : [];
    }
    return [];
  }
  if (predictions !== null && typeof predictions === "object") {
    const value = (predictions as Record<string, unknown>).probabilities;
    return Array.isArray(value) && Array.isArray(value[0]) ? (value[0] as number[]) : [];
  }
  return [];
}

/** Polls the controller until `done` holds; throws with the last status after `timeoutMs`. */
export async function waitForDeployment(
  delivery: DeliveryController,
  endpoint: string,
  done: (status: DeploymentStatus) => boolean,
  timeoutMs: number,
): Promise<DeploymentStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await delivery.status(endpoint);
    if (done(status)) return status;
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting on ${endpoint}: ${JSON.stringify(status, null, 1)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
