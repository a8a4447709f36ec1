/**
 * A `dvc remove` or `dvc move` target located as dvc's `parse_target` and `load_file` locate it, with their
 * messages: `file:name`, a `.dvc` or dvc.yaml path, or a bare stage name of the cwd's dvc.yaml.
 */
import { existsSync, statSync } from "node:fs";
import { basename, relative, resolve, sep } from "node:path";
import { FlowOpsError } from "../errors.js";
import { PIPELINE_FILE } from "../pipelines/dvcYaml.js";
import { DVC_FILE_SUFFIX } from "./dvcFile.js";

const LOCK_FILE = "dvc.lock";
/** dvc's TARGET_REGEX: the name is what follows the last `:` when it holds no slash. */
const TARGET_REGEX = /^(.*?)(?::([^\\/:]*))??$/;

/** dvc's `parse_target`: `path` undefined means the cwd's dvc.yaml, `name` undefined every stage of the file. */
export function parseDvcTarget(target: string): { path?: string; name?: string } {
  if (target === "") return {};
  const at = target.indexOf("@");
  const group = at < 0 ? target : target.slice(0, at);
  const key = at < 0 ? "" : target.slice(at + 1);
  const match = TARGET_REGEX.exec(group);
  if (match === null) return { path: target };
  const path = match[1] ?? "";
  let name = match[2];
  if (name && key) name += `@${key}`;
  if (path !== "") {
    if (basename(path) === LOCK_FILE) {
      throw new FlowOpsError(
        "INVALID_PARAMETER_VALUE",
        `Did you mean: \`${target.replace(".lock", ".yaml")}\`?`,
      );
    }
    if (!name) return isValidDvcFileName(target) ? { path: target } : { name: target };
    return { path, name };
  }
  return name ? { name } : {};
}

export function isValidDvcFileName(path: string): boolean {
  return path.endsWith(DVC_FILE_SUFFIX) || basename(path) === PIPELINE_FILE;
}

/** dvc's `relpath`: POSIX, relative to the cwd. */
export function cwdRelative(cwd: string, abs: string): string {
  return relative(cwd, abs).split(sep).join("/");
}

/**
 * The file a parsed target names, checked as dvc's `FileMixin._load`: it exists, it is named like a DVC file,
 * and it is a regular file.
 */
export function targetFile(cwd: string, path: string | undefined): string {
  const abs = resolve(cwd, path ?? PIPELINE_FILE);
  if (!existsSync(abs)) {
    // dvc shows the default dvc.yaml as the relative name it assumed, a named file absolute.
    throw new FlowOpsError(
      "RESOURCE_DOES_NOT_EXIST",
      `'${path === undefined ? PIPELINE_FILE : abs}' does not exist`,
    );
  }
  if (!isValidDvcFileName(abs)) {
    throw new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      `bad DVC file name '${cwdRelative(cwd, abs)}'. DVC files should be named '${PIPELINE_FILE}' or have a ` +
        `'.dvc' suffix (e.g. '${basename(abs)}.dvc').`,
    );
  }
  if (!statSync(abs).isFile()) throw notADvcFile(abs);
  return abs;
}

/** dvc's StageFileIsNotDvcFileError, with its hint when `<target>.dvc` is a file. */
export function notADvcFile(target: string, cwd = process.cwd()): FlowOpsError {
  const hinted = `${target}${DVC_FILE_SUFFIX}`;
  const hint = statSync(resolve(cwd, hinted), { throwIfNoEntry: false })?.isFile() === true;
  return new FlowOpsError(
    "INVALID_PARAMETER_VALUE",
    `'${target}' is not a .dvc file${hint ? `. Do you mean '${hinted}'?` : ""}`,
  );
}
