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
import { createRun, getRun, updateRun, writeRunTags } from "./runStore.js";

export interface PromptlabRunRequest {
  experimentId: string;
  runName: string | undefined;
  userId: string;
  startTime: number | bigint | undefined;
  promptTemplate: string;
  promptParameters: PromptlabParam[];
  modelRoute: string;
  modelParameters: PromptlabParam[];
  modelInput: PythonJsonValue;
  modelOutput: PythonJsonValue;
  modelOutputParameters: PromptlabParam[];
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
  if (list === undefined || list === null) return [];
  // Python iterates a dict by its keys and a str by its characters, neither of which has `.get`.
  const items: PythonJsonValue[] = Array.isArray(list)
    ? (list as PythonJsonValue[])
    : isDict(list)
      ? pythonDictEntries(list).map(([k]) => k)
      : typeof list === "string"
        ? Array.from(list)
        : [];
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
  const tags = field(body, "tags");
  // The store is handed the raw dicts, which have no `.key`: any tag fails before the run is created.
  if (Array.isArray(tags) && tags.length > 0) throw attributeError(tags[0] as PythonJsonValue, "key");
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
  return {
    experimentId: pythonStr(experimentId),
    runName: runName === undefined || runName === null ? undefined : pythonStr(runName),
    userId: userId === undefined ? "unknown" : pythonStr(userId),
    startTime: typeof startTime === "number" || typeof startTime === "bigint" ? startTime : now,
    promptTemplate: pythonStr(promptTemplate),
    promptParameters,
    modelRoute: pythonStr(modelRoute),
    modelParameters,
    modelInput,
    modelOutput,
    modelOutputParameters,
  };
}

export async function createPromptlabRun(
  db: Kysely<Database>,
  request: PromptlabRunRequest,
  deps: PromptlabRunDeps,
): Promise<Run> {
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
  const all = [...request.promptParameters, ...request.modelParameters, ...request.modelOutputParameters];
  if (all.some((p) => typeof p.key !== "string")) throw invalidParameter("A parameter key is missing.");
  await logBatch(db, runId, {
    params: [
      ...request.modelParameters,
      { key: "model_route", value: request.modelRoute },
      { key: "prompt_template", value: request.promptTemplate },
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
