/**
 * The MLflow pyfunc runtime: serves any model MLflow can load (`mlflow.pyfunc.load_model`) from N Python worker
 * processes running python/flowops_pyfunc_worker.py, behind the same `LoadedModel` seam as ONNX. Python is only
 * needed when such a model is served; this file never imports or bundles anything Python-specific beyond
 * locating the worker script.
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { FlowOpsError } from "../../errors.js";
import type { LoadedModel } from "../runtime.js";
import {
  complexColumn,
  parseSignature,
  signatureInputSpecs,
  numpyDatatype,
  columnDatatype,
} from "../signature.js";
import type { ModelSignature, SignatureSchema } from "../signature.js";
import type { Tensor, TensorSpec } from "../tensor.js";
import { PythonWorkerPool, type RestartBackoff } from "./pythonWorkerPool.js";
import { outputTensors, predictionError, workerRequest, type WireSignature } from "./pythonWire.js";

export interface PythonModelOptions {
  name: string;
  version: string;
  /** Worker processes (default 1: each holds its own copy of the model in memory). */
  workers?: number;
  /** Interpreter; default FLOWOPS_PYTHON, then `python3`. */
  python?: string;
  /**
   * Per-request limit; Infinity for none (batch predict). Default: $MLFLOW_SCORING_SERVER_REQUEST_TIMEOUT
   * seconds, then 60 s, as MLflow's scoring server.
   */
  requestTimeoutMs?: number;
  /** Limit for importing mlflow and loading the model in each worker (default 300 s). */
  startupTimeoutMs?: number;
  /** Where the workers' stderr and restarts are logged (default: process stderr). */
  log?: (line: string) => void;
  restartBackoff?: RestartBackoff;
  /** The worker script (default: python/flowops_pyfunc_worker.py of this package). */
  workerScript?: string;
}

/** A pyfunc model; `workerPids` lets operators and tests see the processes behind it. */
export interface PythonLoadedModel extends LoadedModel {
  workerPids(): number[];
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;
export const REQUEST_TIMEOUT_VARIABLE = "MLFLOW_SCORING_SERVER_REQUEST_TIMEOUT";
const DEFAULT_STARTUP_TIMEOUT_MS = 300_000;
const WORKER_SCRIPT = join("python", "flowops_pyfunc_worker.py");

/** Starts the workers and resolves once every one has loaded the model. */
export async function loadPythonModel(
  modelDir: string,
  options: PythonModelOptions,
): Promise<PythonLoadedModel> {
  const python = options.python ?? nonEmpty(process.env.FLOWOPS_PYTHON) ?? "python3";
  const log = options.log ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const workers = options.workers ?? 1;
  if (!Number.isInteger(workers) || workers < 1) {
    throw new FlowOpsError("INVALID_PARAMETER_VALUE", `workers must be a positive integer, got ${workers}`);
  }
  const dir = resolve(modelDir);
  const pool = await PythonWorkerPool.start(
    {
      python,
      script: options.workerScript ?? workerScriptPath(),
      modelDir: dir,
      startupTimeoutMs: options.startupTimeoutMs ?? DEFAULT_STARTUP_TIMEOUT_MS,
      log,
    },
    workers,
    options.restartBackoff,
  );
  let signature: ModelSignature | undefined;
  let inputs: TensorSpec[] = [];
  try {
    const wire = pool.ready?.signature;
    signature = wire === undefined ? undefined : parseSignature(withoutNulls(wire), join(dir, "MLmodel"));
    // Nested columns (array, object, map, any) are enforced by the pyfunc's own predict in the worker, which then
    // gets the request as parsed for a model without a signature, as MLflow's scoring server hands it over.
    if (signature !== undefined && complexColumn(signature) === undefined)
      inputs = signatureInputSpecs(signature);
  } catch (error) {
    // MLflow itself enforces signatures FlowOps cannot read: serve the model without one and let the worker
    // check the inputs.
    log(`serving ${dir} without its signature: ${(error as Error).message}`);
    signature = undefined;
    inputs = [];
  }
  const outputs = signature?.outputs === undefined ? [] : schemaSpecs(signature.outputs);
  const timeoutMs = options.requestTimeoutMs ?? scoringRequestTimeoutMs(process.env);
  // Without a signature MLflow hands the model what the client sent: a DataFrame for dataframe_* and CSV, numpy
  // arrays (or a dict of them) for instances/inputs. Other protocols (V2, V1) send 1-D tensors as columns.
  const untyped = signature === undefined || complexColumn(signature) !== undefined;
  // A request read untyped for the worker's schema cast (Tensor.schemaCast) takes the form the client sent too.
  const takesColumns = (tensors: readonly Tensor[], dataframe: boolean | undefined): boolean =>
    untyped || signature === undefined || castByWorker(tensors)
      ? dataframe !== false && tensors.every((tensor) => tensor.shape.length === 1)
      : signature.kind === "columns";

  const model: PythonLoadedModel = {
    name: options.name,
    version: options.version,
    platform: "mlflow_pyfunc",
    ...(pool.ready?.mlflowVersion !== undefined ? { mlflowVersion: pool.ready.mlflowVersion } : {}),
    inputs,
    outputs,
    ...(signature === undefined ? {} : { signature }),
    ready: () => pool.liveWorkers() > 0,
    workerPids: () => pool.workerPids(),
    async infer(tensors, inferOptions) {
      const answer = await pool.request(
        (id) =>
          workerRequest(id, tensors, takesColumns(tensors, inferOptions?.dataframe), {
            params: inferOptions?.params,
            paramsJson: inferOptions?.paramsJson,
            index: inferOptions?.index,
            keepDict: (untyped || castByWorker(tensors)) && inferOptions?.dataframe === false,
            missingAsNaN: inferOptions?.missingAsNaN === true,
          }),
        timeoutMs,
        inferOptions?.onStart,
      );
      if (!answer.ok) throw predictionError(answer.error);
      return selectOutputs(outputTensors(answer.outputs), inferOptions?.outputs);
    },
    close: () => pool.close(),
  };
  return model;
}

/**
 * The online request limit MLflow's scoring server applies: $MLFLOW_SCORING_SERVER_REQUEST_TIMEOUT seconds (an
 * int in `mlflow/environment_variables.py`, default 60), so a deployment tuned for MLflow behaves the same here.
 */
export function scoringRequestTimeoutMs(env: NodeJS.ProcessEnv): number {
  const value = nonEmpty(env[REQUEST_TIMEOUT_VARIABLE]);
  if (value === undefined) return DEFAULT_REQUEST_TIMEOUT_MS;
  const seconds = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || seconds < 1) {
    throw new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      `${REQUEST_TIMEOUT_VARIABLE} must be a positive whole number of seconds, got '${value}'`,
    );
  }
  return seconds * 1000;
}

/**
 * The worker script beside this package: found by walking up from this module, which sits in src/ (tsx,
 * vitest), dist/ (tsc) or dist/bundle/ (the esbuild CLI) at different depths.
 */
export function workerScriptPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 6; depth++) {
    const candidate = join(dir, WORKER_SCRIPT);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new FlowOpsError(
    "INVALID_STATE",
    `cannot find ${WORKER_SCRIPT} above ${fileURLToPath(import.meta.url)}; the FlowOps installation is incomplete`,
  );
}

function selectOutputs(outputs: Tensor[], wanted: readonly string[] | undefined): Tensor[] {
  if (wanted === undefined || wanted.length === 0) return outputs;
  return wanted.map((name) => {
    const output = outputs.find((candidate) => candidate.name === name);
    if (output === undefined) {
      throw new FlowOpsError(
        "INVALID_PARAMETER_VALUE",
        `the model has no output '${name}'; its outputs are ${outputs.map((o) => `'${o.name}'`).join(", ")}`,
      );
    }
    return output;
  });
}

/** Output specs named as the worker names its outputs: a single unnamed output is "predictions". */
function schemaSpecs(schema: SignatureSchema): TensorSpec[] {
  const count = schema.specs.length;
  const nameOf = (name: string | undefined, index: number): string =>
    name ?? (count === 1 ? "predictions" : String(index));
  if (schema.kind === "columns") {
    return schema.specs.map((column, index) => ({
      name: nameOf(column.name, index),
      datatype: columnDatatype(column.type),
      shape: [-1],
    }));
  }
  return schema.specs.map((tensor, index) => ({
    name: nameOf(tensor.name, index),
    datatype: numpyDatatype(tensor.dtype) ?? "BYTES",
    shape: tensor.shape,
  }));
}

function castByWorker(tensors: readonly Tensor[]): boolean {
  return tensors.some((tensor) => tensor.schemaCast === true);
}

function withoutNulls(signature: WireSignature): { inputs?: string; outputs?: string; params?: string } {
  const out: { inputs?: string; outputs?: string; params?: string } = {};
  for (const key of ["inputs", "outputs", "params"] as const) {
    const value = signature[key];
    if (typeof value === "string") out[key] = value;
  }
  return out;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}
