/**
 * A seeded fuzz test of the tracking server (`flowops server`): valid MLflow REST requests for the main
 * endpoints, mutated a few thousand ways, sent over HTTP. Every answer must be a 2xx or a 4xx (a 4xx as MLflow's
 * `{"error_code", "message", "sqlstate", "error_class"}`, or Werkzeug's 404 and 405 pages), come within HANG_MS, and a request a mutation made invalid must not be a 2xx.
 * After each batch the server must still answer a valid request; afterwards every object it holds must read back
 * as JSON, and no artifact may have been written outside the store. A failure prints each request with the seed
 * and index that regenerate it: FLOWOPS_TRACKING_FUZZ_SEED, FLOWOPS_TRACKING_FUZZ_REQUESTS and
 * FLOWOPS_TRACKING_FUZZ_ONLY (one index) rerun a case or a longer hunt; FLOWOPS_TRACKING_FUZZ_LOG=1 logs the
 * server's errors; FLOWOPS_TRACKING_FUZZ_REPORT=<file> writes every failure there.
 */
import { isUtf8 } from "node:buffer";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runFuzzLanes, type FuzzCase } from "../../test/support/fuzzLanes.js";
import { SeededRandom } from "../seededRandom.js";
import { ARTIFACTS, MLFLOW, trackingSeeds, type FuzzFixtures } from "./trackingFuzzCorpus.js";
import type { FuzzRequest } from "./trackingFuzzDraft.js";
import { METHOD_NOT_ALLOWED_PAGE, NOT_FOUND_PAGE } from "./werkzeugErrorPages.js";
import { mutatedRequest, seedRequest } from "./trackingFuzzMutations.js";
import {
  createFixtures,
  rawClient,
  startTrackingServer,
  type Answer,
  type RawClient,
  type RunningTrackingServer,
} from "./trackingFuzzServer.js";

const SEED = Number(process.env.FLOWOPS_TRACKING_FUZZ_SEED ?? 20_261_206);
const COUNT = Number(process.env.FLOWOPS_TRACKING_FUZZ_REQUESTS ?? 3000);
const ONLY_TEXT = process.env.FLOWOPS_TRACKING_FUZZ_ONLY;
const ONLY = ONLY_TEXT === undefined ? undefined : Number(ONLY_TEXT);
/** Every request here is small work for the server; one answered later than this counts as a hang. */
const HANG_MS = 2000;
const CONCURRENCY = 8;
const BATCH = 250;
/** Large enough for the biggest fuzz value (300 kB strings) to reach the handlers, small enough to test 413s. */
const BODY_LIMIT = 1024 * 1024;
/** Node refuses request heads over 16 KiB; names longer than this are read back through searches only. */
const URL_NAME_LIMIT = 8000;

let work: string;
let server: RunningTrackingServer;
let client: RawClient;
let fixtures: FuzzFixtures;
const createdRunIds = new Set<string>();

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "flowops-tracking-fuzz-"));
  server = await startTrackingServer(work, BODY_LIMIT);
  client = rawClient(server.url, CONCURRENCY, HANG_MS * 3);
  fixtures = await createFixtures(client);
});

afterAll(async () => {
  client?.close();
  await server?.close();
  await rm(work, { recursive: true, force: true });
});

/** MLflow's artifact proxy has one documented 5xx: multipart upload on a store without it. */
function isMultipartUnsupported(request: FuzzRequest, answer: Answer): boolean {
  return answer.status === 501 && request.url.includes("/mpu/");
}

/** MLflow's fields in `serialize_as_json`'s order; sqlstate and error_class are left out for unclassified codes. */
const MLFLOW_ERROR_KEYS = new Set(["error_code,message", "error_code,message,sqlstate,error_class"]);

function errorShapeProblem(answer: Answer): string | undefined {
  // A path no route takes (a mutated URL) gets Werkzeug's HTML page, as from MLflow's Flask app.
  const page =
    answer.status === 404 ? NOT_FOUND_PAGE : answer.status === 405 ? METHOD_NOT_ALLOWED_PAGE : undefined;
  if (page !== undefined && answer.body.toString("utf8") === page) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(answer.body.toString("utf8"));
  } catch {
    return `error body is not JSON: ${answer.body.toString("utf8").slice(0, 200)}`;
  }
  const record = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
  const keys = Object.keys(record).join(",");
  if (
    !MLFLOW_ERROR_KEYS.has(keys) ||
    typeof record.error_code !== "string" ||
    typeof record.message !== "string"
  )
    return `not MLflow's {"error_code", "message"}: ${answer.body.toString("utf8").slice(0, 200)}`;
  return undefined;
}

/** A file download answers the file's bytes; every other 2xx answers JSON. */
function isDownload(request: FuzzRequest): boolean {
  const path = request.url.split("?")[0] ?? "";
  if (request.method !== "GET") return false;
  return (
    path.startsWith("/get-artifact") || path.replace(/^\/ajax-api\//, "/api/").startsWith(`${ARTIFACTS}/`)
  );
}

function problems(request: FuzzRequest, answer: Answer): string[] {
  const found: string[] = [];
  if (answer.ms > HANG_MS) found.push(`answered after ${Math.round(answer.ms)} ms`);
  const ok = answer.status >= 200 && answer.status < 300;
  if (!ok && (answer.status < 400 || answer.status >= 500) && !isMultipartUnsupported(request, answer))
    found.push(`status ${answer.status}`);
  // HEAD answers carry no body; OPTIONS answers MLflow's Allow list with an empty one, never reading the body.
  const bodiless = request.method === "HEAD" || request.method === "OPTIONS";
  if (answer.status >= 400 && !bodiless) {
    const shape = errorShapeProblem(answer);
    if (shape !== undefined) found.push(shape);
  }
  if (ok && !bodiless && !isDownload(request)) {
    try {
      JSON.parse(answer.body.toString("utf8"));
    } catch {
      found.push(`2xx body is not JSON: ${answer.body.toString("utf8").slice(0, 200)}`);
    }
  }
  if (ok && request.mustFail !== undefined && request.method !== "OPTIONS")
    found.push(`answered ${answer.status} to an invalid request: ${request.mustFail}`);
  return found;
}

function shown(index: number, request: FuzzRequest): string {
  let bodyText = "none";
  if (request.body !== undefined) {
    const text = isUtf8(request.body)
      ? JSON.stringify(request.body.toString("utf8"))
      : `base64:${request.body.toString("base64")}`;
    bodyText = text.length > 2000 ? `${text.slice(0, 2000)}... (${request.body.length} bytes)` : text;
  }
  const url = request.url.length > 300 ? `${request.url.slice(0, 300)}...` : request.url;
  return [
    `#${index} (FLOWOPS_TRACKING_FUZZ_SEED=${SEED} FLOWOPS_TRACKING_FUZZ_ONLY=${index}) ${request.seed}: ${request.steps.join("; ")}`,
    `  ${request.method} ${url} ${JSON.stringify(request.headers)}`,
    `  body ${bodyText}`,
  ].join("\n");
}

function rememberCreatedRun(request: FuzzRequest, answer: Answer): void {
  if (answer.status !== 200 || !request.url.includes("runs/create")) return;
  try {
    const body = JSON.parse(answer.body.toString("utf8")) as { run?: { info?: { run_id?: unknown } } };
    const id = body.run?.info?.run_id;
    if (typeof id === "string") createdRunIds.add(id);
  } catch {
    // A 2xx that is not JSON is reported by problems().
  }
}

/** Sends the requests, `CONCURRENCY` at a time; the problems of each failed one, shown. */
function sendAll(requests: readonly FuzzCase<FuzzRequest>[]): Promise<string[]> {
  return runFuzzLanes(requests, {
    lanes: CONCURRENCY,
    send: (request) => client.send(request),
    problems,
    shown,
    onAnswer: ({ request }, answer) => rememberCreatedRun(request, answer),
  });
}

function generate(): { index: number; request: FuzzRequest }[] {
  const random = new SeededRandom(SEED);
  const requests: { index: number; request: FuzzRequest }[] = [];
  for (let index = 0; index < COUNT; index++) {
    const seeds = trackingSeeds(fixtures, `${SEED}-${index}`);
    const request = mutatedRequest(random.pick(seeds), random);
    if (ONLY === undefined || ONLY === index) requests.push({ index, request });
  }
  return requests;
}

async function stillServes(): Promise<void> {
  const body = await client.call("GET", `${MLFLOW}/runs/get?run_id=${fixtures.runId}`);
  expect((body.run as { info: { run_id: string } }).info.run_id).toBe(fixtures.runId);
}

/** Every run, experiment, model and metric history the server holds reads back as JSON. */
async function readsBackConsistently(): Promise<void> {
  const experiments = await client.call("POST", `${MLFLOW}/experiments/search`, {
    max_results: 50000,
    view_type: "ALL",
  });
  const experimentIds = ((experiments.experiments ?? []) as { experiment_id: string }[]).map(
    (e) => e.experiment_id,
  );
  for (const id of experimentIds)
    await client.call("GET", `${MLFLOW}/experiments/get?experiment_id=${encodeURIComponent(id)}`);
  const found = await client.call("POST", `${MLFLOW}/runs/search`, {
    experiment_ids: experimentIds,
    run_view_type: "ALL",
    max_results: 50000,
  });
  const runIds = new Set([fixtures.runId, ...createdRunIds]);
  for (const run of (found.runs ?? []) as { info: { run_id: string } }[]) runIds.add(run.info.run_id);
  for (const runId of runIds) {
    const got = await client.call("GET", `${MLFLOW}/runs/get?run_id=${runId}`);
    const run = got.run as { info: { run_id: string }; data: { metrics?: { key: string }[] } };
    expect(run.info.run_id).toBe(runId);
    for (const key of new Set((run.data.metrics ?? []).map((m) => m.key))) {
      await client.call(
        "GET",
        `${MLFLOW}/metrics/get-history?run_id=${runId}&metric_key=${encodeURIComponent(key)}`,
      );
    }
  }
  let pageToken: string | undefined;
  do {
    const page = await client.call(
      "GET",
      `${MLFLOW}/registered-models/search?max_results=1000${pageToken ? `&page_token=${encodeURIComponent(pageToken)}` : ""}`,
    );
    for (const model of (page.registered_models ?? []) as { name: string }[]) {
      // MLflow stores names of any length; one that does not fit in a URL cannot be asked for by GET.
      if (encodeURIComponent(model.name).length > URL_NAME_LIMIT) continue;
      await client.call("GET", `${MLFLOW}/registered-models/get?name=${encodeURIComponent(model.name)}`);
    }
    pageToken = page.next_page_token as string | undefined;
  } while (pageToken);
  await client.call("GET", `${MLFLOW}/model-versions/search?max_results=10000`);
  // A fuzzed DELETE may have removed the fixture model; every model a search still finds must read back.
  const models = await client.call("POST", `${MLFLOW}/logged-models/search`, {
    experiment_ids: experimentIds,
    max_results: 1000,
  });
  for (const model of (models.models ?? []) as { info: { model_id: string } }[]) {
    await client.call("GET", `${MLFLOW}/logged-models/${encodeURIComponent(model.info.model_id)}`);
  }
}

/** Files the fuzz wrote anywhere in the work dir but the store, and any that escaped into the temp dir. */
async function filesOutsideStore(): Promise<string[]> {
  const entries = await readdir(work, { recursive: true, withFileTypes: true });
  const stray = entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(work, join(entry.parentPath, entry.name)))
    .filter((path) => !path.startsWith(join("store", "root")) && !path.startsWith("flowops.db"));
  for (const dir of [tmpdir(), join(work, "store"), work]) {
    const names = await readdir(dir);
    if (names.includes("escape-fuzz.txt")) stray.push(join(dir, "escape-fuzz.txt"));
  }
  return stray;
}

describe("tracking server request fuzz", () => {
  it("answers every seed request as it stands with a 2xx", async () => {
    const failures: string[] = [];
    for (const [index, seed] of trackingSeeds(fixtures, "seed").entries()) {
      const request = seedRequest(seed);
      const answer = await client.send(request);
      const found = problems(request, answer);
      if (answer.status >= 300 && !isMultipartUnsupported(request, answer))
        found.push(answer.body.toString("utf8").slice(0, 200));
      if (found.length > 0)
        failures.push(`${shown(index, request)}\n  -> ${answer.status}: ${found.join("; ")}`);
    }
    expect(failures.join("\n\n")).toBe("");
  });

  it(`answers ${COUNT} mutated requests with a 2xx or an MLflow-shaped 4xx (seed ${SEED})`, async () => {
    const requests = generate();
    const failures: string[] = [];
    for (let start = 0; start < requests.length; start += BATCH) {
      failures.push(...(await sendAll(requests.slice(start, start + BATCH))));
      await stillServes();
    }
    const reportFile = process.env.FLOWOPS_TRACKING_FUZZ_REPORT;
    if (reportFile !== undefined) await writeFile(reportFile, failures.join("\n\n"));
    expect(`${failures.length} failed\n${failures.slice(0, 12).join("\n\n")}`).toBe("0 failed\n");
    await readsBackConsistently();
    expect(await filesOutsideStore()).toEqual([]);
  }, 180_000);
});
