/**
 * The one entry from a model URI to a running model: resolve the URI to local files (modelStore.ts), read
 * the MLmodel (mlmodel.ts), and start the runtime its flavors call for: ONNX when the model has an onnx
 * flavor or a model.onnx, else MLflow's python_function. Serving and batch predict call this and see only
 * a LoadedModel.
 */
import type { FlowOpsClient } from "../client/index.js";
import { FlowOpsError } from "../errors.js";
import { readMlflowModel, type MlflowModel, type OnnxFlavor, type PythonFunctionFlavor } from "./mlmodel.js";
import { ModelStore } from "./modelStore.js";
import { parseModelUri } from "./modelUri.js";
import { complexColumn } from "./signature.js";
import type { ProviderChoice } from "./onnx/providerChoice.js";
import type { LoadedModel } from "./runtime.js";
import { loadOnnxModel, type InlineProbe, type OnnxExecution } from "./runtimes/onnx.js";
import { loadPythonModel } from "./runtimes/python.js";

export interface LoadModelOptions {
  /** Tracking server for models:/ and runs:/ URIs; $MLFLOW_TRACKING_URI by default. */
  trackingUri?: string;
  /** The name to serve under; the registered model name (or directory name) by default. */
  name?: string;
  /** Worker threads (ONNX) or processes (Python). */
  workers?: number;
  /**
   * Python models: the limit for one request, Infinity for none; $MLFLOW_SCORING_SERVER_REQUEST_TIMEOUT
   * seconds, then 60 s, by default. ONNX runs have no limit.
   */
  requestTimeoutMs?: number;
  /** Python interpreter for python_function models; $FLOWOPS_PYTHON, then python3. */
  python?: string;
  /** ONNX: "auto" (CUDA when a GPU is present, else CPU), "cuda" (or fail) or "cpu". */
  executionProviders?: ProviderChoice;
  /** ONNX: the most rows one run gets (dynamic batching's limit); 1 by default (see loadOnnxModel). */
  batchRows?: number;
  /** ONNX: on the event loop or on worker threads; "auto" picks by the model's run time (see loadOnnxModel). */
  execution?: OnnxExecution;
  /** ONNX, "auto" execution: the timed runs' rows and the run time below which the model runs inline. */
  inlineProbe?: InlineProbe;
  /** FlowOps home for the model store; $FLOWOPS_HOME, then ./.flowops. */
  home?: string;
  /** A ready client (tests, callers that hold one); made from `trackingUri` otherwise. */
  client?: FlowOpsClient;
  env?: NodeJS.ProcessEnv;
  log?: (message: string) => void;
  /** Told, before the model loads, the content digest of a model downloaded from the tracking server. */
  onResolved?: (resolved: { digest?: string | undefined }) => void;
}

/**
 * @example const model = await loadModel("models:/churn@champion", { trackingUri: "http://localhost:5000" });
 */
export async function loadModel(uri: string, options: LoadModelOptions = {}): Promise<LoadedModel> {
  const store = new ModelStore({
    ...(options.home === undefined ? {} : { home: options.home }),
    ...(options.client === undefined ? {} : { client: options.client }),
    ...(options.trackingUri === undefined ? {} : { trackingUri: options.trackingUri }),
    ...(options.env === undefined ? {} : { env: options.env }),
    ...(options.log === undefined ? {} : { log: options.log }),
  });
  const resolved = await store.resolve(parseModelUri(uri));
  options.onResolved?.({ digest: resolved.digest });
  const model = await readMlflowModel(resolved.path);
  const name = options.name ?? resolved.name;
  const version = resolved.version;
  const runtime = chooseRuntime(model, resolved.source);
  switch (runtime.kind) {
    case "onnx": {
      refuseComplexColumns(model, resolved.source);
      return loadOnnxModel(runtime.flavor.path, {
        name,
        version,
        ...(options.workers === undefined ? {} : { threads: options.workers }),
        ...(options.execution === undefined ? {} : { execution: options.execution }),
        ...(options.executionProviders === undefined
          ? {}
          : { executionProviders: options.executionProviders }),
        ...(options.batchRows === undefined ? {} : { batchRows: options.batchRows }),
        ...(options.inlineProbe === undefined ? {} : { inlineProbe: options.inlineProbe }),
        ...(model.signature === undefined ? {} : { signature: model.signature }),
        ...(options.log === undefined ? {} : { log: options.log }),
      });
    }
    case "python":
      return loadPythonModel(model.dir, {
        name,
        version,
        ...(options.workers === undefined ? {} : { workers: options.workers }),
        ...(options.python === undefined ? {} : { python: options.python }),
        ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
        ...(options.log === undefined ? {} : { log: options.log }),
      });
  }
}

/** ONNX takes tensors of numbers and text only; a nested column (MLflow's pyfunc enforces those) cannot feed it. */
function refuseComplexColumns(model: MlflowModel, source: string): void {
  const column = complexColumn(model.signature);
  if (column === undefined) return;
  throw new FlowOpsError(
    "INVALID_PARAMETER_VALUE",
    `${model.file ?? source}: signature input '${column.name ?? "(unnamed)"}' has type '${column.type}', which ` +
      "an ONNX model cannot take; ONNX inputs are tensors of numbers, booleans or text",
  );
}

/** ONNX whenever there is an ONNX file: it runs in-process, without Python or the model's packages. */
export function chooseRuntime(
  model: MlflowModel,
  source: string,
): { kind: "onnx"; flavor: OnnxFlavor } | { kind: "python"; flavor: PythonFunctionFlavor } {
  if (model.onnx !== undefined) return { kind: "onnx", flavor: model.onnx };
  if (model.pythonFunction !== undefined) return { kind: "python", flavor: model.pythonFunction };
  const found = model.flavorNames.length === 0 ? "none" : model.flavorNames.join(", ");
  throw new FlowOpsError(
    "INVALID_PARAMETER_VALUE",
    `${model.file ?? source}: the model has no flavor FlowOps can serve (found: ${found}); ` +
      "it needs an 'onnx' or a 'python_function' flavor.",
  );
}
