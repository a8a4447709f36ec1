/**
 * A seeded fuzz test of the model server's request handling: valid requests of every protocol, mutated a few
 * thousand ways, sent over HTTP to servers of real ONNX models. Every answer must be a 200 or a 4xx in its
 * protocol's error shape (`{"error"}` for KServe, `{"error_code", "message"}` for MLflow), carry a request id,
 * come within HANG_MS, and a request the spec refuses must not be a 200; afterwards the servers must still
 * answer their health checks. A failure prints each request exactly, with the seed and index that regenerate it:
 * FLOWOPS_FUZZ_SEED, FLOWOPS_FUZZ_REQUESTS and FLOWOPS_FUZZ_ONLY (one index) rerun a case or a longer hunt;
 * FLOWOPS_FUZZ_LOG=1 logs the servers' errors; FLOWOPS_FUZZ_REPORT=<file> writes every failure there.
 */
import { isUtf8 } from "node:buffer";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { Agent } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runFuzzLanes, type FuzzCase } from "../../../test/support/fuzzLanes.js";
import { sendRaw, type RawHttpAnswer } from "../../../test/support/rawHttp.js";
import { echoModel, writeFuzzModels } from "./requestFuzzModels.js";
import { FUZZ_BODY_LIMIT, mutatedRequest, seedRequest, type FuzzRequest } from "./requestFuzzMutations.js";
import { FUZZ_SEEDS, type FuzzServer } from "./requestFuzzSeeds.js";
import { FuzzRandom } from "./requestFuzzValues.js";
import { startModelServer, type RunningModelServer } from "./startModelServer.js";

const SEED = Number(process.env.FLOWOPS_FUZZ_SEED ?? 20_250_611);
const COUNT = Number(process.env.FLOWOPS_FUZZ_REQUESTS ?? 5000);
const ONLY = process.env.FLOWOPS_FUZZ_ONLY === undefined ? undefined : Number(process.env.FLOWOPS_FUZZ_ONLY);
/** A request answered later than this counts as a hang: every one here is small work for the server. */
const HANG_MS = 2000;
const CONCURRENCY = 8;
const ALLOWED = new Set([200, 400, 404, 413, 415]);

let work: string;
const servers = new Map<FuzzServer, RunningModelServer>();
const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "flowops-request-fuzz-"));
  const models = await writeFuzzModels(work);
  const options = {
    host: "127.0.0.1",
    port: 0,
    bodyLimit: FUZZ_BODY_LIMIT,
    logger: process.env.FLOWOPS_FUZZ_LOG === "1" ? { level: "error" } : false,
  };
  servers.set(
    "main",
    await startModelServer({
      ...options,
      models: [await models.mlp(), await models.pair(), echoModel("echo")],
    }),
  );
  servers.set("pair", await startModelServer({ ...options, models: [await models.pair()] }));
  servers.set("echo", await startModelServer({ ...options, models: [echoModel("echo")] }));
});

afterAll(async () => {
  agent.destroy();
  await Promise.all([...servers.values()].map((server) => server.close()));
  await rm(work, { recursive: true, force: true });
});

type Answer = RawHttpAnswer;

function send(request: FuzzRequest): Promise<Answer> {
  const url = new URL((servers.get(request.server) as RunningModelServer).url);
  return sendRaw(url, request, { agent, timeoutMs: HANG_MS * 3 });
}

/** MLflow's body shape for its own route, KServe's for every other path (unknown paths included). */
function protocolOf(request: FuzzRequest): "mlflow" | "kserve" {
  return request.method === "POST" && request.path.split("?")[0] === "/invocations" ? "mlflow" : "kserve";
}

function parseJson(body: Buffer): unknown {
  return JSON.parse(body.toString("utf8"));
}

/** MLflow writes non-finite floats as Python does (bare NaN, Infinity); read them as null here. */
function parseMlflowAnswer(body: Buffer): unknown {
  return JSON.parse(body.toString("utf8").replace(/-?Infinity|NaN/g, "null"));
}

function errorShapeProblem(request: FuzzRequest, answer: Answer): string | undefined {
  let body: unknown;
  try {
    body = parseJson(answer.body);
  } catch {
    return `error body is not JSON: ${answer.body.toString("utf8").slice(0, 200)}`;
  }
  const keys = typeof body === "object" && body !== null ? Object.keys(body).join(",") : "";
  const record = body as Record<string, unknown>;
  if (protocolOf(request) === "mlflow") {
    // serialize_as_json's order; sqlstate and error_class are left out for codes MLflow does not classify.
    if (
      (keys !== "error_code,message" && keys !== "error_code,message,sqlstate,error_class") ||
      typeof record.error_code !== "string" ||
      typeof record.message !== "string"
    )
      return `not MLflow's {"error_code", "message"}: ${answer.body.toString("utf8").slice(0, 200)}`;
  } else if (keys !== "error" || typeof record.error !== "string" || record.error === "") {
    return `not KServe's {"error": "..."}: ${answer.body.toString("utf8").slice(0, 200)}`;
  }
  return undefined;
}

function successProblem(request: FuzzRequest, answer: Answer): string | undefined {
  if (request.method !== "POST") return undefined;
  try {
    const framed = answer.headers["inference-header-content-length"];
    if (typeof framed === "string") parseJson(answer.body.subarray(0, Number(framed)));
    else if (protocolOf(request) === "mlflow") parseMlflowAnswer(answer.body);
    else parseJson(answer.body);
    return undefined;
  } catch {
    return `200 body is not JSON: ${answer.body.toString("utf8").slice(0, 200)}`;
  }
}

/** What is wrong with the answer to `request`; empty when nothing is. */
function problems(request: FuzzRequest, answer: Answer): string[] {
  const found: string[] = [];
  if (answer.ms > HANG_MS) found.push(`answered after ${Math.round(answer.ms)} ms`);
  if (!ALLOWED.has(answer.status)) found.push(`status ${answer.status}`);
  const id = answer.headers["x-request-id"];
  if (typeof id !== "string" || id === "") found.push("no x-request-id header");
  if (answer.status >= 400) {
    const shape = errorShapeProblem(request, answer);
    if (shape !== undefined) found.push(shape);
  } else {
    const success = successProblem(request, answer);
    if (success !== undefined) found.push(success);
  }
  const must = request.mustFail;
  if (must !== undefined) {
    if (answer.status < 400) found.push(`answered ${answer.status} to an invalid request: ${must.why}`);
    // With two mutations the first one's status may not be the one that decides.
    else if (must.status !== undefined && request.steps.length === 1 && answer.status !== must.status)
      found.push(`answered ${answer.status}, expected ${must.status} for ${must.why}`);
  }
  return found;
}

/** The request as it was sent, to replay by hand; the seed and index regenerate it. */
function shown(index: number, request: FuzzRequest): string {
  const body = request.body;
  let bodyText = "none";
  if (body !== undefined) {
    const text = isUtf8(body) ? JSON.stringify(body.toString("utf8")) : `base64:${body.toString("base64")}`;
    bodyText = text.length > 4000 ? `${text.slice(0, 4000)}... (${body.length} bytes)` : text;
  }
  return [
    `#${index} (FLOWOPS_FUZZ_SEED=${SEED} FLOWOPS_FUZZ_ONLY=${index}) server ${request.server}: ${request.steps.join("; ")}`,
    `  ${request.method} ${request.path} ${JSON.stringify(request.headers)}`,
    `  body ${bodyText}`,
  ].join("\n");
}

/** Sends the requests, `CONCURRENCY` at a time; the problems of each failed one, shown. */
function sendAll(
  requests: readonly FuzzCase<FuzzRequest>[],
  onStatus?: (index: number, status: number) => void,
): Promise<string[]> {
  return runFuzzLanes(requests, {
    lanes: CONCURRENCY,
    send,
    problems,
    shown,
    onAnswer: ({ index }, answer) => onStatus?.(index, answer.status),
  });
}

function generate(): { index: number; request: FuzzRequest }[] {
  const random = new FuzzRandom(SEED);
  const requests: { index: number; request: FuzzRequest }[] = [];
  for (let index = 0; index < COUNT; index++) {
    const request = mutatedRequest(random.pick(FUZZ_SEEDS), random);
    if (ONLY === undefined || ONLY === index) requests.push({ index, request });
  }
  return requests;
}

async function healthy(): Promise<void> {
  for (const server of servers.keys()) {
    for (const path of ["/v2/health/ready", "/ping"]) {
      const answer = await send({ server, method: "GET", path, headers: {}, body: undefined, steps: [] });
      expect(answer.status, `${server} ${path}`).toBe(200);
    }
  }
}

describe("model server request fuzz", () => {
  it("answers every seed request as it stands with a 200", async () => {
    const statuses: string[] = [];
    const failures = await sendAll(
      FUZZ_SEEDS.map((seed, index) => ({ index, request: seedRequest(seed) })),
      (index, status) => {
        if (status !== 200) statuses.push(`seed ${index}: ${status}`);
      },
    );
    expect([...failures, ...statuses].join("\n\n")).toBe("");
  });

  it(`answers ${COUNT} mutated requests with a 200 or a 4xx in the protocol's error shape (seed ${SEED})`, async () => {
    const failures = await sendAll(generate());
    const reportFile = process.env.FLOWOPS_FUZZ_REPORT;
    if (reportFile !== undefined) await writeFile(reportFile, failures.join("\n\n"));
    const report = failures.slice(0, 15).join("\n\n");
    expect(`${failures.length} failed\n${report}`).toBe("0 failed\n");
    await healthy();
  }, 120_000);
});
