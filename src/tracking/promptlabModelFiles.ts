/**
 * The artifacts MLflow's `_create_promptlab_run_impl` (mlflow/utils/promptlab_utils.py) logs for a prompt
 * engineering run: `eval_results_table.json` and a pyfunc `model/` directory (mlflow/prompt/promptlab_model.py),
 * written byte for byte as MLflow writes them so that the UI's evaluation view and `mlflow.pyfunc` read them.
 */
import { pythonJsonDumps, type PythonJsonValue } from "../pythonJson.js";
import { pyyamlDump } from "./pyyamlDump.js";

/** The mlflow release whose files these are; the model's requirement pins it as MLflow pins its own. */
export const PROMPTLAB_MLFLOW_VERSION = "3.17.2";
/**
 * MLflow records the interpreter of the server that wrote the model (`platform.python_version()`, and pip's
 * and setuptools' versions). FlowOps has none; this is the Python of its reference mlflow environment, and
 * the build dependencies are left unpinned rather than claiming versions nobody installed.
 */
export const PROMPTLAB_PYTHON_VERSION = "3.11.7";

export interface PromptlabParam {
  key: string;
  value: string;
}

export interface PromptlabModelInput {
  runId: string;
  modelUuid: string;
  /** `%Y-%m-%d %H:%M:%S.%f` in UTC, as written into MLmodel and the run's model history. */
  utcTimeCreated: string;
  promptTemplate: string;
  promptParameters: readonly PromptlabParam[];
  modelParameters: readonly PromptlabParam[];
  modelRoute: string;
  modelInput: PythonJsonValue;
  modelOutput: PythonJsonValue;
  modelOutputParameters: readonly PromptlabParam[];
}

/** `datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")` for a time in milliseconds. */
export function utcTimeCreated(epochMillis: number): string {
  const iso = new Date(epochMillis).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}000`;
}

/** The run's `mlflow.log-model.history` entry (`Model.get_tags_dict()`), recorded before any flavor is added. */
export function promptlabModelHistoryEntry(input: PromptlabModelInput): PythonJsonValue {
  return {
    run_id: input.runId,
    artifact_path: "model",
    utc_time_created: input.utcTimeCreated,
    model_uuid: input.modelUuid,
    flavors: {},
  };
}

/** `create_eval_results_json`: one row of prompt parameters, prompt, output and output parameters. */
export function evalResultsTableJson(input: PromptlabModelInput): string {
  const columns = [
    ...input.promptParameters.map((p) => p.key),
    "prompt",
    "output",
    ...input.modelOutputParameters.map((p) => p.key),
  ];
  const row: PythonJsonValue[] = [
    ...input.promptParameters.map((p) => p.value),
    input.modelInput,
    input.modelOutput,
    ...input.modelOutputParameters.map((p) => p.value),
  ];
  return pythonJsonDumps({ columns, data: [row] });
}

/** A Python dict built from params: a repeated key keeps its first place and its last value. */
function paramDict(params: readonly PromptlabParam[]): Record<string, string> {
  const dict: Record<string, string> = {};
  for (const param of params) dict[param.key] = param.value;
  return dict;
}

/** Files of the `model/` directory, by name, as `save_model` writes them. */
export function promptlabModelFiles(input: PromptlabModelInput): Record<string, string> {
  const colSpec = (name: string) => ({ type: "string", name, required: true });
  const exampleValues = input.promptParameters.map((p) => p.value);
  const mlmodel = pyyamlDump({
    artifact_path: "model",
    flavors: {
      python_function: {
        env: { conda: "conda.yaml", virtualenv: "python_env.yaml" },
        loader_module: "mlflow.prompt.promptlab_model",
        parameters_path: "parameters.yaml",
        python_version: PROMPTLAB_PYTHON_VERSION,
      },
    },
    is_signature_from_type_hint: false,
    mlflow_version: PROMPTLAB_MLFLOW_VERSION,
    model_id: null,
    model_uuid: input.modelUuid,
    prompts: null,
    run_id: input.runId,
    saved_input_example_info: {
      artifact_path: "input_example.json",
      serving_input_path: "serving_input_example.json",
      type: "json_object",
    },
    signature: {
      inputs: pythonJsonDumps(input.promptParameters.map((p) => colSpec(p.key))),
      outputs: pythonJsonDumps([colSpec("output")]),
      params: null,
    },
    type_hint_from_example: false,
    utc_time_created: input.utcTimeCreated,
  });
  const parameters = pyyamlDump({
    prompt_template: input.promptTemplate,
    prompt_parameters: paramDict(input.promptParameters),
    model_parameters: paramDict(input.modelParameters),
    model_route: input.modelRoute,
  });
  const requirement = `mlflow[gateway]==${PROMPTLAB_MLFLOW_VERSION}`;
  return {
    MLmodel: mlmodel,
    "conda.yaml": `channels:\n- conda-forge\ndependencies:\n- python=${PROMPTLAB_PYTHON_VERSION}\n- pip\n- pip:\n  - ${requirement}\nname: mlflow-env\n`,
    "input_example.json": pythonJsonDumps({ inputs: exampleValues }),
    "parameters.yaml": parameters,
    "python_env.yaml": `python: ${PROMPTLAB_PYTHON_VERSION}\nbuild_dependencies:\n- pip\n- setuptools\n- wheel\ndependencies:\n- -r requirements.txt\n`,
    "requirements.txt": requirement,
    "serving_input_example.json": asciiJson(JSON.stringify({ inputs: { inputs: exampleValues } }, null, 2)),
  };
}

/** `json.dumps(..., indent=2)` of strings: JSON.stringify's layout with ensure_ascii's escapes. */
function asciiJson(text: string): string {
  return text.replace(/[^\0-~]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
