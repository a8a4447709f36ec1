/**
 * The `md5:` at the top of an import's `.dvc` file: dvc's `compute_md5` (dvc/stage/utils.py) over the stage
 * as `dumpd` gives it. dvc compares it with the recorded one and reports "changed checksum" when they differ,
 * so ours must be the same bytes hashed the same way: Python's `json.dumps(..., sort_keys=True)` of the stage
 * with its own md5, meta and desc removed, a `wdir` of `.` dropped, and the keys below removed at any depth.
 * A `dvc add` file has none: dvc leaves it out.
 */
import { createHash } from "node:crypto";
import { isPlainObject, pySortedJsonDumps } from "../pipelines/pythonValues.js";

/** `*ANNOTATION_FIELDS`, `locked`, `frozen`, `metric`, `persist`, `isexec`, `size`, `nfiles`. */
const EXCLUDED_KEYS: ReadonlySet<string> = new Set([
  "desc",
  "type",
  "labels",
  "meta",
  "locked",
  "frozen",
  "metric",
  "persist",
  "isexec",
  "size",
  "nfiles",
]);

/** The stage md5 dvc records for `raw` (a `.dvc` file's top-level mapping). */
export function singleStageMd5(raw: Readonly<Record<string, unknown>>): string {
  const dumped: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    // dumpd keeps only truthy values; compute_md5 then drops md5, meta, desc and the default wdir.
    if (key === "md5" || key === "meta" || key === "desc") continue;
    if (key === "wdir" && value === ".") continue;
    if (!isTruthy(value)) continue;
    dumped[key] = value;
  }
  return createHash("md5").update(pySortedJsonDumps(dumped, EXCLUDED_KEYS), "utf8").digest("hex");
}

/**
 * Whether dvc checks a `.dvc` file's stage md5 (`Stage.compute_md5`): when it has a command (a dvc 1 stage
 * file) or is an import (no command, one dep, one out). A `dvc add` file has none.
 */
export function hasStageMd5(raw: Readonly<Record<string, unknown>>): boolean {
  if (isTruthy(raw.cmd)) return true;
  return Array.isArray(raw.deps) && raw.deps.length === 1 && Array.isArray(raw.outs) && raw.outs.length === 1;
}

function isTruthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (isPlainObject(value)) return Object.keys(value).length > 0;
  return value !== undefined && value !== null && value !== false && value !== 0 && value !== "";
}
