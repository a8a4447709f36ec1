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
import type { DeliveryController } from "../../src/delivery/deployments/deliveryController.js";
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
export async function writeHarnessModels(dir: string): Promise<Record<CandidateKind | "stable", string>> {
  const base = mlpOnnx({ inputs: FEATURES, hidden: 8, outputs: 2, seed: 7 });
  const negate = (values: Float32Array): Float32Array => values.map((v) => -v);
  const flipped = mlpOnnx({
    inputs: FEATURES,
    hidden: 8,
    outputs: 2,
    weights: { ...base.weights, w2: negate(base.weights.w2), b2: negate(base.weights.b2) },
  });
  const dirs = {
    stable: join(dir, "stable"),
    healthy: join(dir, "healthy"),
    flipped: join(dir, "flipped"),
    errors: join(dir, "fault-errors"),
    slow: join(dir, "fault-slow"),
  };
  for (const [kind, path] of Object.entries(dirs)) {
    await mkdir(path, { recursive: true });
    await writeFile(join(path, "model.onnx"), kind === "flipped" ? flipped.bytes : base.bytes);
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

export async function startDeliveryHarness(dbFile: string, tickMs = 100): Promise<DeliveryHarness> {
  const meta = await openMetadataDb(`sqlite:///${dbFile}`);
  let url = "";
  const delivery = createEmbeddedDelivery({
    meta,
    trackingUri: () => url,
    loader: faultInjectingLoader,
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

/**
 * Sends `rps` requests per second to the endpoint until `stop()` is called, each on its own schedule (an
 * open loop, so a slow answer does not slow the offered load).
 */
export function startTraffic(
  url: string,
  endpoint: string,
  rps: number,
): { tally: TrafficTally; stop(): Promise<void> } {
  const tally: TrafficTally = { sent: 0, ok: 0, failed: 0, byStatus: new Map() };
  const inFlight = new Set<Promise<void>>();
  const started = performance.now();
  let stopped = false;
  const target = `${url}/v2/models/${endpoint}/infer`;
  const fire = (): void => {
    const n = tally.sent++;
    const request = fetch(target, {
      method: "POST",
      headers: { "content-type": "application/json", "x-user-id": `user-${n % 500}` },
      body: inferBody(n),
    })
      .then(async (response) => {
        await response.arrayBuffer();
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
