/**
 * Set-up shared by the deployment and endpoint route tests: a server whose delivery controller is a fake that
 * records each call, with a client for it. Test-only; nothing in the product imports it.
 */
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { FlowOpsClient } from "../../client/index.js";
import type { MetadataDb } from "../../db/connect.js";
import type { DeliveryController, DeploymentStatus } from "../../delivery/deployments/deliveryController.js";
import type { InferMeta } from "../../delivery/routing/endpointRegistry.js";
import { FlowOpsError } from "../../errors.js";
import type { PredictRequest } from "../../serving/payloads/modelInput.js";
import type { LoadedModel } from "../../serving/runtime.js";
import { buildServer } from "../app.js";
import type { ServerContext } from "../context.js";

/** A deployment's status as the controller reports it, with `overrides`; shared with the CLI's deploy tests. */
export function statusOf(name: string, overrides: Partial<DeploymentStatus> = {}): DeploymentStatus {
  return {
    name,
    phase: "Healthy",
    strategy: "canary",
    stable: "models:/churn/3",
    weights: [{ model: "models:/churn/3", weight: 100 }],
    stepIndex: 0,
    steps: 5,
    analyses: [],
    createdAt: 1,
    updatedAt: 2,
    ...overrides,
  };
}

export interface Call {
  method: string;
  args: unknown[];
}

/** The controller methods the routes call, recording each call; "missing" is an unknown endpoint. */
function fakeDelivery(
  calls: Call[],
  inferCalls: { endpoint: string; request: PredictRequest; meta: InferMeta }[],
) {
  const record =
    (method: string, answer: (...args: never[]) => unknown) =>
    async (...args: unknown[]) => {
      calls.push({ method, args });
      if (
        args[0] === "missing" ||
        (method === "create" && (args[0] as { name: string }).name === "missing")
      ) {
        throw new FlowOpsError("RESOURCE_DOES_NOT_EXIST", "Deployment 'missing' does not exist.");
      }
      return (answer as (...a: unknown[]) => unknown)(...args);
    };
  const model: Pick<LoadedModel, "name" | "version"> = { name: "churn", version: "4" };
  return {
    list: record("list", () => [statusOf("churn")]),
    create: record("create", (input: { name: string; modelUri: string }) =>
      statusOf(input.name, { stable: input.modelUri }),
    ),
    status: record("status", (name: string) => statusOf(name)),
    remove: record("remove", () => undefined),
    deploy: record("deploy", (name: string, uri: string) =>
      statusOf(name, { phase: "Progressing", candidate: uri }),
    ),
    promote: record("promote", (name: string) => statusOf(name, { phase: "Progressing" })),
    abort: record("abort", (name: string, reason?: string) =>
      statusOf(name, { phase: "Degraded", ...(reason !== undefined ? { abortedReason: reason } : {}) }),
    ),
    retry: record("retry", (name: string) => statusOf(name, { phase: "Progressing" })),
    undo: record("undo", (name: string) => statusOf(name, { phase: "Progressing" })),
    events: record("events", () => [
      { id: 7, deployment: "churn", at: 5, kind: "StepCompleted", details: "step 1" },
    ]),
    feedback: record("feedback", (requestId: string) =>
      requestId === "known" ? { matched: true, endpoint: "churn", correct: true } : { matched: false },
    ),
    registry: {
      async infer(endpoint: string, request: PredictRequest, meta: InferMeta) {
        inferCalls.push({ endpoint, request, meta });
        if (endpoint === "missing") {
          throw new FlowOpsError("RESOURCE_DOES_NOT_EXIST", "endpoint 'missing' does not exist");
        }
        return {
          outputs: [{ name: "label", datatype: "INT64", shape: [1], data: new BigInt64Array([1n]) }],
          model,
          modelKey: meta.preview === true ? "models:/churn/4" : "models:/churn/3",
          variant: meta.preview === true ? "candidate" : "stable",
        };
      },
    },
  };
}

/** What the tests of one suite talk to; `app` and `client` are set once its `beforeAll` has run. */
export class RecordingServer {
  /** The controller calls of the current test. */
  readonly calls: Call[] = [];
  /** The registry's infer calls of the current test. */
  readonly inferCalls: { endpoint: string; request: PredictRequest; meta: InferMeta }[] = [];
  app!: FastifyInstance;
  client!: FlowOpsClient;
}

/**
 * A fresh metadata database, as test/support's backends open one. The test passes the backend in because this
 * module lives under src/, which the build compiles on its own and which therefore cannot import from test/.
 */
interface MetadataBackend {
  open(): Promise<{ meta: MetadataDb; uri: string; close(): Promise<void> }>;
}

/** Starts a server over the recording fake for the calling suite, and clears the recorded calls before each test. */
export function useRecordingServer(backend: MetadataBackend): RecordingServer {
  const server = new RecordingServer();
  let closeDb: () => Promise<void>;

  beforeAll(async () => {
    const opened = await backend.open();
    closeDb = opened.close;
    const ctx: ServerContext = {
      config: {
        host: "127.0.0.1",
        port: 0,
        backendStoreUri: opened.uri,
        defaultArtifactRoot: "mlflow-artifacts:/",
        artifactsDestination: "unused",
        serveArtifacts: false,
        bodyLimit: 1024 * 1024,
      },
      meta: opened.meta,
      now: () => 1000,
      delivery: fakeDelivery(server.calls, server.inferCalls) as unknown as DeliveryController,
    };
    server.app = await buildServer(ctx, { logger: false });
    const url = await server.app.listen({ host: "127.0.0.1", port: 0 });
    server.client = new FlowOpsClient({ trackingUri: url, retries: 0 });
  });
  afterAll(async () => {
    await server.app.close();
    await closeDb();
  });
  beforeEach(() => {
    server.calls.length = 0;
    server.inferCalls.length = 0;
  });

  return server;
}
