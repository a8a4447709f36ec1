/**
 * The tracking server the fuzz test talks to, the raw HTTP client it uses (bytes in, bytes out, so broken
 * requests go out as written) and the objects it creates before the fuzz starts. Test-only; nothing in the
 * product imports it.
 */
import { mkdir } from "node:fs/promises";
import { Agent } from "node:http";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { sendRaw, type RawHttpAnswer } from "../../test/support/rawHttp.js";
import { openMetadataDb, type MetadataDb } from "../db/connect.js";
import { buildServer } from "./app.js";
import type { ServerConfig } from "./context.js";
import { ARTIFACTS, MLFLOW, type FuzzFixtures } from "./trackingFuzzCorpus.js";

export interface RunningTrackingServer {
  url: URL;
  app: FastifyInstance;
  meta: MetadataDb;
  /** The artifact proxy's root; nothing may be written outside it. */
  storeDir: string;
  close(): Promise<void>;
}

export type Answer = RawHttpAnswer;

export interface RawRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
}

export async function startTrackingServer(work: string, bodyLimit: number): Promise<RunningTrackingServer> {
  const storeDir = join(work, "store", "root");
  await mkdir(storeDir, { recursive: true });
  const meta = await openMetadataDb(`sqlite:///${join(work, "flowops.db")}`);
  const config: ServerConfig = {
    host: "127.0.0.1",
    port: 0,
    backendStoreUri: `sqlite:///${join(work, "flowops.db")}`,
    defaultArtifactRoot: "mlflow-artifacts:/",
    artifactsDestination: storeDir,
    serveArtifacts: true,
    bodyLimit,
  };
  const logger = process.env.FLOWOPS_TRACKING_FUZZ_LOG === "1" ? { level: "error" } : false;
  const app = await buildServer({ config, meta, now: () => Date.now() }, { logger });
  const url = new URL(await app.listen({ host: "127.0.0.1", port: 0 }));
  return {
    url,
    app,
    meta,
    storeDir,
    async close() {
      await app.close();
      await meta.close();
    },
  };
}

/** A client that sends exactly the given bytes; `timeoutMs` ends a request the server never answers. */
export function rawClient(url: URL, concurrency: number, timeoutMs: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const send = (request: RawRequest): Promise<Answer> =>
    sendRaw(url, { ...request, path: request.url }, { agent, timeoutMs });
  /** A JSON call that must succeed; answers the parsed body. */
  const call = async (method: string, path: string, body?: object): Promise<Record<string, unknown>> => {
    const answer = await send({
      method,
      url: path,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : Buffer.from(JSON.stringify(body)),
    });
    const text = answer.body.toString("utf8");
    if (answer.status !== 200) {
      throw new Error(`${method} ${path.slice(0, 300)} answered ${answer.status}: ${text.slice(0, 500)}`);
    }
    return JSON.parse(text) as Record<string, unknown>;
  };
  return { send, call, close: () => agent.destroy() };
}

export type RawClient = ReturnType<typeof rawClient>;

export async function createFixtures(client: RawClient): Promise<FuzzFixtures> {
  const { call } = client;
  const experiment = await call("POST", `${MLFLOW}/experiments/create`, { name: "fuzz-fixture" });
  const experimentId = String(experiment.experiment_id);
  const run = await call("POST", `${MLFLOW}/runs/create`, { experiment_id: experimentId, start_time: 1 });
  const runId = (run.run as { info: { run_id: string } }).info.run_id;
  await call("POST", `${MLFLOW}/runs/log-metric`, {
    run_id: runId,
    key: "m",
    value: 1,
    timestamp: 1,
    step: 0,
  });
  await call("POST", `${MLFLOW}/runs/log-parameter`, { run_id: runId, key: "p", value: "v" });
  const modelName = "fuzz-fixture-model";
  await call("POST", `${MLFLOW}/registered-models/create`, { name: modelName });
  const version = await call("POST", `${MLFLOW}/model-versions/create`, {
    name: modelName,
    source: `runs:/${runId}/model`,
    run_id: runId,
  });
  const modelVersion = (version.model_version as { version: string }).version;
  const logged = await call("POST", `${MLFLOW}/logged-models`, {
    experiment_id: experimentId,
    name: "fuzz-logged",
  });
  const loggedModelId = (logged.model as { info: { model_id: string } }).info.model_id;
  const artifactPath = `${experimentId}/${runId}/artifacts/fixture.txt`;
  const upload = await client.send({
    method: "PUT",
    url: `${ARTIFACTS}/${artifactPath}`,
    headers: { "content-type": "text/plain" },
    body: Buffer.from("fixture\n"),
  });
  if (upload.status !== 200) throw new Error(`artifact upload answered ${upload.status}`);
  return { experimentId, runId, modelName, modelVersion, loggedModelId, artifactPath };
}
