/**
 * The UI's prompt engineering run (`create_promptlab_run_handler` and `_create_promptlab_run_impl` in mlflow
 * 3.17): a run holding the model parameters, route and template as params, tags that mark it as a
 * PROMPT_ENGINEERING run with an evaluation table, and the table and a pyfunc model as artifacts. As in
 * MLflow, once the run exists a failure while filling it in marks it FAILED instead of failing the request.
 */
import { randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import type { Kysely } from "kysely";
import type { ArtifactStore } from "../artifacts/store.js";
import type { Database } from "../db/schema.js";
import { FlowOpsError, invalidParameter } from "../errors.js";
import {
  pythonDictEntries,
  pythonJsonDumps,
  pythonStr,
  PythonFloat,
  type PythonJsonValue,
} from "../pythonJson.js";
import type { Run } from "./entities.js";
import { logBatch } from "./runLogging.js";
import { LOGGED_MODELS_TAG } from "./modelHistory.js";
import {
  evalResultsTableJson,
  promptlabModelFiles,
  promptlabModelHistoryEntry,
  utcTimeCreated,
  type PromptlabModelInput,
  type PromptlabParam,
} from "./promptlabModelFiles.js";
import { getExperiment } from "./experimentStore.js";
import { createRun, getRun, updateRun, writeRunTags } from "./runStore.js";

export interface PromptlabRunRequest {
  experimentId: string;
  runName: string | undefined;
  userId: string;
  startTime: number | bigint;
  /** Logged as a param as sent: a value that is no str is refused by the store, failing the run. */
  promptTemplate: PythonJsonValue;
  promptParameters: PromptlabParam[];
  modelRoute: PythonJsonValue;
  modelParameters: PromptlabParam[];
  modelInput: PythonJsonValue;
  modelOutput: PythonJsonValue;
  modelOutputParameters: PromptlabParam[];
  /**
   * What MLflow's `store.create_run` fails on (the tags, a null user_id or start_time); it reads the
   * experiment first, so an unknown one is reported instead.
   */
  storeRefusal: FlowOpsError | undefined;
}

export interface PromptlabRunDeps {
  now(): number;
  /** The artifact store at a run's artifact_uri (a proxied `mlflow-artifacts:` URI included). */
  openArtifacts(artifactUri: string): ArtifactStore;
}

/** Python's truthiness, which `assert_arg_exists` (`if not arg`) applies to every required field. */
function isFalsy(value: PythonJsonValue | undefined): boolean {
  if (value === undefined || value === null || value === false || value === "" || value === 0) return true;
  if (value === 0n) return true;
  if (value instanceof PythonFloat) return value.value === 0;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === "object") return pythonDictEntries(value).length === 0;
  return false;
}

function isDict(value: PythonJsonValue | undefined): value is ReadonlyMap<string, PythonJsonValue> {
  return (
    value instanceof Map ||
    (typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof PythonFloat))
  );
}

/** `args.get(name)` on a decoded JSON dict. */
function field(dict: PythonJsonValue, name: string): PythonJsonValue | undefined {
  if (dict instanceof Map) return (dict as ReadonlyMap<string, PythonJsonValue>).get(name);
  return pythonDictEntries(dict as object).find(([key]) => key === name)?.[1];
}

function typeName(value: PythonJsonValue): string {
  if (value === null) return "NoneType";
  if (typeof value === "string") return "str";
  if (typeof value === "boolean") return "bool";
  if (typeof value === "number" || typeof value === "bigint")
    return Number.isInteger(Number(value)) ? "int" : "float";
  if (value instanceof PythonFloat) return "float";
  return Array.isArray(value) ? "list" : "dict";
}

/** MLflow's handler fails with Python's AttributeError here; its server answers 500 with that message. */
function attributeError(value: PythonJsonValue, attribute: string): FlowOpsError {
  return new FlowOpsError("INTERNAL_ERROR", `'${typeName(value)}' object has no attribute '${attribute}'`);
}

function required(body: PythonJsonValue, name: string): PythonJsonValue {
  const value = field(body, name);
  if (isFalsy(value)) throw invalidParameter(`CreatePromptlabRun request must specify ${name}.`);
  return value!;
}

/** `[Param(p.get("key"), str(p.get("value"))) for p in ...]`; a key that is no string fails the run later. */
function params(list: PythonJsonValue | undefined): PromptlabParam[] {
  if (list === undefined) return [];
  if (list === null || typeof list !== "object" || list instanceof PythonFloat) {
    throw new FlowOpsError("INTERNAL_ERROR", `'${typeName(list)}' object is not iterable`);
  }
  // Python iterates a dict by its keys and a str by its characters, neither of which has `.get`.
  const items: PythonJsonValue[] = Array.isArray(list)
    ? (list as PythonJsonValue[])
    : isDict(list)
      ? pythonDictEntries(list).map(([k]) => k)
      : Array.from(list as unknown as string);
  return items.map((item) => {
    if (!isDict(item)) throw attributeError(item, "get");
    const key = field(item, "key");
    return { key: key as string, value: pythonStr(field(item, "value") ?? null) };
  });
}

/** Reads and checks the request body in the handler's order, with its messages. */
export function parsePromptlabRunRequest(body: PythonJsonValue, now: number): PromptlabRunRequest {
  if (!isDict(body)) throw attributeError(body, "get");
  const experimentId = required(body, "experiment_id");
  const runName = field(body, "run_name");
  const promptTemplate = required(body, "prompt_template");
  required(body, "prompt_parameters");
  const promptParameters = params(field(body, "prompt_parameters"));
  const modelRoute = required(body, "model_route");
  const modelParameters = params(field(body, "model_parameters"));
  const modelInput = required(body, "model_input");
  const modelOutput = field(body, "model_output") ?? null;
  const modelOutputParameters = params(field(body, "model_output_parameters"));
  required(body, "mlflow_version");
  const userId = field(body, "user_id");
  const startTime = field(body, "start_time");
  const stored = startTime === undefined || startTime === null ? now : sqliteInteger(startTime);
  return {
    experimentId: pythonStr(experimentId),
    runName: runName === undefined || runName === null ? undefined : pythonStr(runName),
    userId: userId === undefined || userId === null ? "unknown" : pythonStr(userId),
    startTime: typeof stored === "object" ? now : stored,
    promptTemplate,
    promptParameters,
    modelRoute,
    modelParameters,
    modelInput,
    modelOutput,
    modelOutputParameters,
    storeRefusal:
      storeRefusal(field(body, "tags"), userId, startTime) ??
      (stored instanceof FlowOpsError ? stored : undefined),
  };
}

/** `tags.copy() if tags else []`, then `tag.key` of each, then the run's NOT NULL columns, in that order. */
function storeRefusal(
  tags: PythonJsonValue | undefined,
  userId: PythonJsonValue | undefined,
  startTime: PythonJsonValue | undefined,
): FlowOpsError | undefined {
  if (tags !== undefined && !isFalsy(tags)) {
    // A list's items and a dict's keys (all str) have no `.key`; nothing else has `.copy`.
    if (Array.isArray(tags)) return attributeError(tags[0] as PythonJsonValue, "key");
    return isDict(tags) ? attributeError("", "key") : attributeError(tags, "copy");
  }
  if (userId === null) return new FlowOpsError("INTERNAL_ERROR", "user_id cannot be None");
  if (startTime === null) return new FlowOpsError("INTERNAL_ERROR", "start_time cannot be None");
  return undefined;
}

const INT64_MAX = 2n ** 63n - 1n;
const SQLITE_NUMBER = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

/**
 * The start_time MLflow reads back after storing what was sent in an INTEGER column: SQLite keeps an int,
 * turns a float or numeric text that is a whole number into one, and keeps anything else, which then fails
 * the answer's proto (MLflow's Flask 500, after the run was made; here before). Any failure comes after the
 * store's other refusals, so it is returned for the caller to rank, not thrown.
 */
function sqliteInteger(value: PythonJsonValue): number | bigint | FlowOpsError {
  if (Array.isArray(value) || isDict(value)) {
    return new FlowOpsError(
      "BAD_REQUEST",
      `Error binding parameter: type '${typeName(value)}' is not supported`,
    );
  }
  let whole: bigint | undefined;
  if (typeof value === "boolean") whole = value ? 1n : 0n;
  else if (typeof value === "bigint") whole = value;
  else if (typeof value === "string" && /^\s*[+-]?\d+\s*$/.test(value)) whole = BigInt(value.trim());
  else {
    const real =
      value instanceof PythonFloat ? value.value : SQLITE_NUMBER.test(String(value)) ? Number(value) : NaN;
    if (Number.isInteger(real) && Math.abs(real) < 2 ** 63) whole = BigInt(real);
  }
  if (whole !== undefined && whole <= INT64_MAX && whole >= -INT64_MAX - 1n) {
    return Number.isSafeInteger(Number(whole)) ? Number(whole) : whole;
  }
  // A Python int past int64 fails in SQLite's driver; anything else is stored and fails when read back.
  const isInt = typeof value === "bigint" || (typeof value === "number" && Number.isInteger(value));
  return new FlowOpsError(
    "INTERNAL_ERROR",
    isInt
      ? "Python int too large to convert to SQLite INTEGER"
      : `'${typeName(value)}' object cannot be interpreted as an integer`,
  );
}

export async function createPromptlabRun(
  db: Kysely<Database>,
  request: PromptlabRunRequest,
  deps: PromptlabRunDeps,
): Promise<Run> {
  if (request.storeRefusal !== undefined) {
    const experiment = await getExperiment(db, request.experimentId);
    // A deleted experiment is refused by createRun below, with its own message.
    if (experiment.lifecycle_stage === "active") throw request.storeRefusal;
  }
  const run = await createRun(
    db,
    {
      experiment_id: request.experimentId,
      user_id: request.userId,
      run_name: request.runName,
      start_time: request.startTime,
      tags: [],
    },
    deps.now(),
  );
  const runId = run.info.run_id;
  let status: "FINISHED" | "FAILED" = "FINISHED";
  try {
    await fillPromptlabRun(db, run, request, deps);
  } catch {
    status = "FAILED";
  }
  await updateRun(db, runId, { status, end_time: deps.now(), run_name: request.runName });
  return getRun(db, runId);
}

async function fillPromptlabRun(
  db: Kysely<Database>,
  run: Run,
  request: PromptlabRunRequest,
  deps: PromptlabRunDeps,
): Promise<void> {
  const runId = run.info.run_id;
  const { modelRoute, promptTemplate } = request;
  const all = [...request.promptParameters, ...request.modelParameters, ...request.modelOutputParameters];
  if (all.some((p) => typeof p.key !== "string")) throw invalidParameter("A parameter key is missing.");
  // MLflow logs these two as sent, without the str() its parameter lists get.
  if (typeof modelRoute !== "string" || typeof promptTemplate !== "string") {
    throw invalidParameter("model_route and prompt_template must be strings.");
  }
  await logBatch(db, runId, {
    params: [
      ...request.modelParameters,
      { key: "model_route", value: modelRoute },
      { key: "prompt_template", value: promptTemplate },
    ],
    tags: [
      {
        key: "mlflow.loggedArtifacts",
        value: pythonJsonDumps([{ path: "eval_results_table.json", type: "table" }]),
      },
      { key: "mlflow.runSourceType", value: "PROMPT_ENGINEERING" },
    ],
  });
  const model: PromptlabModelInput = {
    ...request,
    modelRoute,
    promptTemplate,
    runId,
    modelUuid: randomUUID().replace(/-/g, ""),
    utcTimeCreated: utcTimeCreated(deps.now()),
  };
  // The run is new, so its model history is this one entry, in json.dumps' spelling as MLflow stores it.
  await db
    .transaction()
    .execute((tx) =>
      writeRunTags(tx, runId, [
        { key: LOGGED_MODELS_TAG, value: pythonJsonDumps([promptlabModelHistoryEntry(model)]) },
      ]),
    );
  const store = deps.openArtifacts(run.info.artifact_uri);
  for (const [name, text] of Object.entries(promptlabModelFiles(model))) {
    await store.write(`model/${name}`, Readable.from([Buffer.from(text, "utf8")]));
  }
  await store.write(
    "eval_results_table.json",
    Readable.from([Buffer.from(evalResultsTableJson(model), "utf8")]),
  );
}
