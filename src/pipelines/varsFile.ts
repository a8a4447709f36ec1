/**
 * A `vars` file (or the default params.yaml) as dvc's `Context.load_from` reads it for interpolation: its
 * absence and a top level that is no mapping are dvc's `ParamsLoadError`s, worded as dvc words them.
 */
import { statSync } from "node:fs";
import { InterpolationError } from "./interpolationError.js";
import { loadParamsData, type ParamsObject } from "./paramsFile.js";
import { isPlainObject, PyFloat, PyInt } from "./pythonValues.js";

/** Python's name for the type of a parsed value, as `type(data).__name__` gives it. */
function pythonTypeName(value: unknown): string {
  if (Array.isArray(value)) return "list";
  if (value === null || value === undefined) return "NoneType";
  if (value instanceof PyInt) return "int";
  if (value instanceof PyFloat) return "float";
  if (typeof value === "number") return Number.isInteger(value) ? "int" : "float";
  if (typeof value === "boolean") return "bool";
  if (typeof value === "string") return "str";
  return "object";
}

export async function loadVarsFile(abs: string): Promise<ParamsObject> {
  const stat = statSync(abs, { throwIfNoEntry: false });
  if (stat === undefined) throw new InterpolationError((name) => `'${name(abs)}' does not exist`);
  if (stat.isDirectory()) throw new InterpolationError((name) => `'${name(abs)}' is a directory`);
  const data = await loadParamsData(abs);
  if (!isPlainObject(data)) {
    const type = pythonTypeName(data);
    throw new InterpolationError((name) => `expected a dictionary, got '${type}' in file '${name(abs)}'`);
  }
  return data as ParamsObject;
}
