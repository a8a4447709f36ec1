/**
 * dvc's two errors for a dvc.yaml, dvc.lock or `.dvc` file that does not load (dvc/utils/strictyaml.py):
 * YAMLSyntaxError when the text is not YAML, YAMLValidationError when the YAML breaks the file's schema. The
 * views that report a revision's failure instead of failing (`metrics show --json`, `plots show --json`) name
 * the class, so a script can tell a damaged file from other failures as it can with dvc. dvc's message places
 * each problem by line and column ("..., in line 3, column 1" for syntax, "..., line 3, column 5" for schema);
 * ours keeps the `file:line: what` of every malformed file and adds dvc's place after it. Params, metrics and
 * plots files are read by dvc's plain YAML reader (YAMLFileCorruptedError, no schema) and are not marked here.
 * This module marks and words errors; it reads no file.
 */
import { FlowOpsError } from "../errors.js";
import { YamlSyntaxError, type YamlFile } from "./yamlFile.js";

export type DvcFileErrorType = "YAMLSyntaxError" | "YAMLValidationError";

const types = new WeakMap<Error, DvcFileErrorType>();

/** The YAML of a dvc file, from `parse`: a text that is not YAML fails as dvc's YAMLSyntaxError. */
export function parseDvcFileYaml<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw dvcFileSyntaxError(error);
  }
}

/** `error` as dvc's YAMLSyntaxError, placed as dvc places it, when it is a YAML syntax error; else as it is. */
export function dvcFileSyntaxError(error: unknown): unknown {
  if (!(error instanceof YamlSyntaxError)) return error;
  const place = error.line === undefined ? "" : `, in line ${error.line}, column ${error.column ?? 1}`;
  const failure = new FlowOpsError(error.code, `${error.message}${place}`, { cause: error });
  types.set(failure, "YAMLSyntaxError");
  return failure;
}

/** The result of `validate`, which checks a parsed dvc file: what it throws fails as dvc's YAMLValidationError. */
export function validateDvcFile<T>(validate: () => T): T {
  try {
    return validate();
  } catch (error) {
    throw error instanceof FlowOpsError ? dvcFileInvalid(error) : error;
  }
}

/** `error`, a schema problem of a dvc file, marked as dvc's YAMLValidationError. */
export function dvcFileInvalid(error: FlowOpsError): FlowOpsError {
  types.set(error, "YAMLValidationError");
  return error;
}

/**
 * A schema problem's `message` followed by dvc's place of it: the line and column of the node at `keyPath`
 * (the key itself where it exists, where dvc names the mapping that holds it).
 */
export function placedProblem(
  yaml: YamlFile,
  keyPath: readonly (string | number)[],
  message: string,
): string {
  const column = yaml.columnOf?.(keyPath);
  return column === undefined ? message : `${message}, line ${yaml.lineOf(keyPath)}, column ${column}`;
}

/**
 * Whether `error` itself is dvc's YAMLSyntaxError, which dvc reports in its own layout; an error that wraps
 * one ("Failed to collect 'workspace': ...") is reported as an `ERROR:` line, its causes after it.
 */
export function isDvcFileSyntaxError(error: unknown): boolean {
  return error instanceof Error && types.get(error) === "YAMLSyntaxError";
}

/**
 * dvc's class for `error`, or for an error it wraps: a revision's files are read from a copy, and the error
 * that names them at the revision keeps the original as its cause (pipelines/revisionPipelines.ts).
 */
export function dvcFileErrorType(error: unknown): DvcFileErrorType | undefined {
  for (let each: unknown = error; each instanceof Error; each = each.cause) {
    const type = types.get(each);
    if (type !== undefined) return type;
  }
  return undefined;
}
