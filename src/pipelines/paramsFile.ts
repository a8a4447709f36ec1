/**
 * Params files as DVC reads them (`dvc/utils/serialize`, `dvc/dependency/param.py`): `.json`, `.toml` and
 * `.py` (literal assignments, read without running Python: pythonParams.ts) by their own parsers,
 * everything else as YAML.
 * Values keep Python's int/float distinction (see pythonValues.ts) so lock files and commands match DVC's.
 */
import type * as SmolToml from "smol-toml";
import { createRequire } from "node:module";
import { extname } from "node:path";
import { FlowOpsError } from "../errors.js";
import { malformedFile } from "../data/yamlFile.js";
import { ParamsFileReadError } from "./paramsFileReadError.js";
import { parsePythonParams, type UnrecordableParam } from "./pythonParams.js";
import {
  isPlainObject,
  parsePythonJson,
  parsePythonYaml,
  pyFloat,
  type PyValue,
  pyInt,
} from "./pythonValues.js";
import { readUtf8File } from "../data/utf8Text.js";

export type ParamsObject = Record<string, PyValue>;

export const DEFAULT_PARAMS_FILE = "params.yaml";

/** Reads a params file; a missing file is RESOURCE_DOES_NOT_EXIST, a malformed one names file and line. */
export async function loadParamsFile(absPath: string): Promise<ParamsObject> {
  return asParamsObject(absPath, await loadParamsData(absPath));
}

/** A params file's top-level value whatever its type (dvc's `load_path`), read as loadParamsFile reads it. */
export async function loadParamsData(absPath: string): Promise<unknown> {
  let text: string;
  try {
    text = await readUtf8File(absPath);
  } catch (error) {
    // readUtf8File's only own error: bytes that are not UTF-8.
    if (error instanceof FlowOpsError) throw new ParamsFileReadError(absPath, "encoding", error);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT")
      throw new FlowOpsError("RESOURCE_DOES_NOT_EXIST", `${absPath}: params file not found`);
    if (code === "EISDIR") {
      throw new FlowOpsError(
        "INVALID_PARAMETER_VALUE",
        `${absPath}: is a directory, expected a parameters file`,
      );
    }
    throw new FlowOpsError("INVALID_PARAMETER_VALUE", `${absPath}: cannot read: ${String(error)}`, {
      cause: error,
    });
  }
  return parseDataText(absPath, text);
}

/** Parses params text by the file's extension (used for workspace files and `git show rev:path` alike). */
export function parseParamsText(path: string, text: string): ParamsObject {
  return asParamsObject(path, parseDataText(path, text));
}

function asParamsObject(path: string, value: unknown): ParamsObject {
  if (!isPlainObject(value)) {
    throw malformedFile(
      path,
      1,
      `expected a mapping of parameters, got ${Array.isArray(value) ? "a list" : typeof value}`,
    );
  }
  return value as ParamsObject;
}

/**
 * A params or metrics file's top-level value by the file's extension, whatever its type (DVC's `load_path`):
 * metrics files may hold a list, which DVC reads and then finds no metrics in.
 */
export function parseDataText(path: string, text: string): unknown {
  try {
    return parseByExtension(path, text);
  } catch (error) {
    if (error instanceof FlowOpsError) throw new ParamsFileReadError(path, "corrupted", error);
    throw error;
  }
}

function parseByExtension(path: string, text: string): unknown {
  switch (extname(path).toLowerCase()) {
    case ".py": {
      const parsed = parsePythonParams(path, text);
      // Kept beside the values, unseen by callers that only read them, for selectParams to report.
      Object.defineProperty(parsed.values, UNRECORDABLE, {
        value: { path, params: parsed.unrecordable },
        enumerable: false,
      });
      return parsed.values;
    }
    case ".json":
      return parsePythonJson(path, text);
    case ".toml":
      return tomlValue(path, text);
    default:
      // A YAML stream may start with a byte order mark, which ruamel skips; the yaml package reads one before a
      // block sequence (`\uFEFF- x: 1`) as a stray scalar.
      return parsePythonYaml(path, text.startsWith("\uFEFF") ? text.slice(1) : text).value ?? {};
  }
}

let parseToml: typeof SmolToml.parse | undefined;

/**
 * smol-toml on first use, through its CommonJS build so that parsing stays synchronous: most pipelines have
 * no TOML params, and every `repro` and `status` would otherwise compile it at start-up.
 */
function tomlParser(): typeof SmolToml.parse {
  parseToml ??= (createRequire(import.meta.url)("smol-toml") as typeof SmolToml).parse;
  return parseToml;
}

function tomlValue(path: string, text: string): unknown {
  let parsed: unknown;
  try {
    // Integers as BigInt so that every remaining number is known to be a TOML float.
    parsed = tomlParser()(text, { integersAsBigInt: true });
  } catch (error) {
    const line = (error as { line?: number }).line;
    const message = ((error as Error).message.split("\n")[0] ?? "").trim();
    throw malformedFile(path, line, `invalid TOML: ${message}`);
  }
  return fromToml(parsed);
}

function fromToml(value: unknown): PyValue {
  if (typeof value === "bigint") return pyInt(value);
  if (typeof value === "number") return pyFloat(value);
  if (Array.isArray(value)) return value.map(fromToml);
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "object" && value !== null) {
    if (!isPlainObject(value) || typeof (value as { toISOString?: unknown }).toISOString === "function") {
      return String(value);
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fromToml(v)]));
  }
  return value as PyValue;
}

const UNRECORDABLE = Symbol("unrecordable Python params");

interface UnrecordableNote {
  path: string;
  params: ReadonlyMap<string, UnrecordableParam>;
}

const UNRECORDABLE_NAMES: Record<UnrecordableParam["kind"], string> = {
  set: "a set",
  bytes: "bytes",
  complex: "a complex number",
  ellipsis: "Ellipsis",
};

/**
 * A params.py value DVC parses but cannot record (`Object of type set is not JSON serializable`) fails
 * only the stages that use it, as in DVC; other keys of the same file stay usable.
 */
function rejectUnrecordable(obj: ParamsObject, keys: readonly string[] | "all"): void {
  const note = (obj as { [UNRECORDABLE]?: UnrecordableNote })[UNRECORDABLE];
  if (note === undefined) return;
  for (const [param, found] of note.params) {
    const used =
      keys === "all" ||
      keys.some((key) => param === key || param.startsWith(`${key}.`) || key.startsWith(`${param}.`));
    if (!used) continue;
    throw malformedFile(
      note.path,
      found.line,
      `param '${param}' is ${UNRECORDABLE_NAMES[found.kind]}, which dvc.lock cannot record ` +
        "(DVC: not JSON serializable); use a list, string or number",
    );
  }
}

/** dpath-style lookup of `a.b.0.c` (list items by index), as `dvc.dependency.param` does. */
export function lookupParam(obj: unknown, dotted: string): { found: boolean; value?: PyValue } {
  let node: unknown = obj;
  for (const segment of dotted.split(".")) {
    if (Array.isArray(node) && /^[0-9]+$/.test(segment) && Number(segment) < node.length) {
      node = node[Number(segment)];
    } else if (isPlainObject(node) && Object.prototype.hasOwnProperty.call(node, segment)) {
      node = node[segment];
    } else {
      return { found: false };
    }
  }
  return { found: true, value: node as PyValue };
}

/**
 * The values DVC records for a params dependency: the whole file when no keys are listed, otherwise
 * `{key: value}` for each listed key that exists (`read_param_file(..., flatten=True)`).
 */
export function selectParams(obj: ParamsObject, keys: readonly string[] | "all"): ParamsObject {
  rejectUnrecordable(obj, keys);
  if (keys === "all") return obj;
  const out: ParamsObject = {};
  for (const key of keys) {
    const { found, value } = lookupParam(obj, key);
    if (found) out[key] = value ?? null;
  }
  return out;
}

/** `flatten_dict.flatten(d, reducer="dot")`: nested mappings become dotted keys; lists stay values. */
export function flattenParams(obj: unknown, prefix = ""): Record<string, PyValue> {
  const out: Record<string, PyValue> = {};
  if (!isPlainObject(obj)) return out;
  for (const [key, value] of Object.entries(obj)) {
    const name = prefix === "" ? key : `${prefix}.${key}`;
    if (isPlainObject(value) && Object.keys(value).length > 0) Object.assign(out, flattenParams(value, name));
    else out[name] = value as PyValue;
  }
  return out;
}
