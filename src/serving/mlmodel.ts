/**
 * Reads an MLflow model directory: its `MLmodel` YAML (flavors, signature, run_id, model_uuid), or a bare
 * directory (or file) holding an ONNX model with no MLmodel. Errors name the file and line. Only the flavors
 * FlowOps can serve are interpreted (onnx, python_function); the others are kept by name so a caller can
 * say which were found. It reads files; it does not load the model.
 */
import { stat } from "node:fs/promises";
import { basename, dirname, isAbsolute, join, normalize, sep } from "node:path";
import { malformedFile, readYamlFile, type YamlFile } from "../data/yamlFile.js";
import { FlowOpsError } from "../errors.js";
import { parseSignature, type ModelSignature } from "./signature.js";

export const MLMODEL_FILE = "MLmodel";
export const BARE_ONNX_FILE = "model.onnx";

export interface OnnxFlavor {
  /** As written in MLmodel (`data`), relative to the model directory. */
  data: string;
  /** Absolute path of the .onnx file. */
  path: string;
  onnxVersion?: string;
  providers?: string[];
}

export interface PythonFunctionFlavor {
  loaderModule: string;
  /** `data` (or `model_path`, as mlflow.sklearn writes it), relative to the model directory. */
  data?: string;
  /** Environment files: `{conda, virtualenv}` in MLflow 2+, a single conda file before. */
  env?: { conda?: string; virtualenv?: string };
  pythonVersion?: string;
}

export interface MlflowModel {
  /** The model directory. */
  dir: string;
  /** The MLmodel file; absent for a bare ONNX model. */
  file?: string;
  /** Every flavor name in the file, including ones FlowOps does not serve. */
  flavorNames: string[];
  onnx?: OnnxFlavor;
  pythonFunction?: PythonFunctionFlavor;
  signature?: ModelSignature;
  runId?: string;
  modelUuid?: string;
  artifactPath?: string;
  mlflowVersion?: string;
}

/**
 * Reads the model at `path`: a directory with an MLmodel file, a directory holding model.onnx, or an .onnx file.
 * @example const model = await readMlflowModel("./mlruns/1/abc/artifacts/model");
 */
export async function readMlflowModel(path: string): Promise<MlflowModel> {
  const kind = await entryKind(path);
  if (kind === "missing")
    throw new FlowOpsError("RESOURCE_DOES_NOT_EXIST", `${path}: no such model directory`);
  if (kind === "file") {
    if (!path.toLowerCase().endsWith(".onnx")) {
      throw new FlowOpsError(
        "INVALID_PARAMETER_VALUE",
        `${path}: a model file must be an .onnx file; otherwise give the MLflow model directory`,
      );
    }
    return bareOnnx(dirname(path), basename(path));
  }
  const file = join(path, MLMODEL_FILE);
  if ((await entryKind(file)) === "file") return parseMlmodel(await readYamlFile(file), path);
  if ((await entryKind(join(path, BARE_ONNX_FILE))) === "file") return bareOnnx(path, BARE_ONNX_FILE);
  throw new FlowOpsError(
    "RESOURCE_DOES_NOT_EXIST",
    `${path}: neither an ${MLMODEL_FILE} file nor a ${BARE_ONNX_FILE}; expected an MLflow model directory`,
  );
}

/** Interprets a parsed MLmodel file of the model in `dir`, checking that the files its flavors name exist. */
export async function parseMlmodel(yaml: YamlFile, dir: string): Promise<MlflowModel> {
  const root = yaml.value;
  if (!isRecord(root)) throw malformedFile(yaml.path, 1, "expected a mapping with a 'flavors' key");
  const flavors = root.flavors;
  if (!isRecord(flavors)) {
    throw malformedFile(yaml.path, yaml.lineOf(["flavors"]), "'flavors' must be a mapping of flavor names");
  }
  const model: MlflowModel = { dir, file: yaml.path, flavorNames: Object.keys(flavors) };
  if (flavors.onnx !== undefined) model.onnx = await onnxFlavor(yaml, dir, flavors.onnx);
  if (flavors.python_function !== undefined) {
    model.pythonFunction = pythonFunctionFlavor(yaml, flavors.python_function);
  }
  const signature = signatureOf(yaml, root.signature);
  if (signature !== undefined) model.signature = signature;
  const runId = optionalString(yaml, root, "run_id", []);
  if (runId !== undefined) model.runId = runId;
  const modelUuid = optionalString(yaml, root, "model_uuid", []);
  if (modelUuid !== undefined) model.modelUuid = modelUuid;
  const artifactPath = optionalString(yaml, root, "artifact_path", []);
  if (artifactPath !== undefined) model.artifactPath = artifactPath;
  const mlflowVersion = optionalString(yaml, root, "mlflow_version", []);
  if (mlflowVersion !== undefined) model.mlflowVersion = mlflowVersion;
  return model;
}

async function onnxFlavor(yaml: YamlFile, dir: string, conf: unknown): Promise<OnnxFlavor> {
  const at = ["flavors", "onnx"];
  if (!isRecord(conf)) throw malformedFile(yaml.path, yaml.lineOf(at), "flavors.onnx must be a mapping");
  const data = optionalString(yaml, conf, "data", at);
  if (data === undefined) {
    throw malformedFile(yaml.path, yaml.lineOf(at), "flavors.onnx has no 'data' (the .onnx file)");
  }
  const path = insideModel(yaml, dir, data, [...at, "data"]);
  if ((await entryKind(path)) !== "file") {
    throw malformedFile(
      yaml.path,
      yaml.lineOf([...at, "data"]),
      `flavors.onnx.data names '${data}', which is not a file in ${dir}`,
    );
  }
  const flavor: OnnxFlavor = { data, path };
  const onnxVersion = optionalString(yaml, conf, "onnx_version", at);
  if (onnxVersion !== undefined) flavor.onnxVersion = onnxVersion;
  const providers = conf.providers;
  if (Array.isArray(providers) && providers.every((p) => typeof p === "string")) {
    flavor.providers = providers;
  }
  return flavor;
}

function pythonFunctionFlavor(yaml: YamlFile, conf: unknown): PythonFunctionFlavor {
  const at = ["flavors", "python_function"];
  if (!isRecord(conf))
    throw malformedFile(yaml.path, yaml.lineOf(at), "flavors.python_function must be a mapping");
  const loaderModule = optionalString(yaml, conf, "loader_module", at);
  if (loaderModule === undefined) {
    throw malformedFile(
      yaml.path,
      yaml.lineOf(at),
      "flavors.python_function has no 'loader_module' (the Python module that loads the model)",
    );
  }
  const flavor: PythonFunctionFlavor = { loaderModule };
  const data = optionalString(yaml, conf, "data", at) ?? optionalString(yaml, conf, "model_path", at);
  if (data !== undefined) flavor.data = data;
  const env = conf.env;
  if (typeof env === "string") {
    flavor.env = { conda: env };
  } else if (isRecord(env)) {
    const conda = optionalString(yaml, env, "conda", [...at, "env"]);
    const virtualenv = optionalString(yaml, env, "virtualenv", [...at, "env"]);
    flavor.env = {
      ...(conda === undefined ? {} : { conda }),
      ...(virtualenv === undefined ? {} : { virtualenv }),
    };
  }
  const pythonVersion = conf.python_version;
  // YAML reads an unquoted 3.10 as the number 3.1, so a number is kept as written only when it is a string.
  if (typeof pythonVersion === "string") flavor.pythonVersion = pythonVersion;
  return flavor;
}

function signatureOf(yaml: YamlFile, conf: unknown): ModelSignature | undefined {
  if (conf === undefined || conf === null) return undefined;
  const where = `${yaml.path}:${yaml.lineOf(["signature"])}`;
  if (!isRecord(conf))
    throw malformedFile(yaml.path, yaml.lineOf(["signature"]), "'signature' must be a mapping");
  const text = (key: string): string | undefined => {
    const value = conf[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "string") {
      throw malformedFile(
        yaml.path,
        yaml.lineOf(["signature", key]),
        `signature.${key} must be a JSON string, as MLflow writes it`,
      );
    }
    return value;
  };
  const inputs = text("inputs");
  const outputs = text("outputs");
  const params = text("params");
  return parseSignature(
    {
      ...(inputs === undefined ? {} : { inputs }),
      ...(outputs === undefined ? {} : { outputs }),
      ...(params === undefined ? {} : { params }),
    },
    where,
  );
}

/** A relative path that stays inside the model directory: MLmodel files come from servers we do not control. */
function insideModel(yaml: YamlFile, dir: string, relative: string, at: string[]): string {
  const normalised = normalize(relative);
  if (isAbsolute(relative) || normalised === ".." || normalised.startsWith(`..${sep}`)) {
    throw malformedFile(
      yaml.path,
      yaml.lineOf(at),
      `${at.slice(1).join(".")} '${relative}' must be a path inside the model directory`,
    );
  }
  return join(dir, normalised);
}

function optionalString(
  yaml: YamlFile,
  conf: Record<string, unknown>,
  key: string,
  at: readonly string[],
): string | undefined {
  const value = conf[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  const name = [...at.slice(at[0] === "flavors" ? 1 : 0), key].join(".");
  throw malformedFile(yaml.path, yaml.lineOf([...at, key]), `${name} must be a string`);
}

function bareOnnx(dir: string, file: string): MlflowModel {
  return { dir, flavorNames: ["onnx"], onnx: { data: file, path: join(dir, file) } };
}

async function entryKind(path: string): Promise<"file" | "directory" | "missing"> {
  try {
    const info = await stat(path);
    return info.isDirectory() ? "directory" : "file";
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "missing";
    throw new FlowOpsError("INVALID_PARAMETER_VALUE", `${path}: cannot read: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
