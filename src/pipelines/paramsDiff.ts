/**
 * `flowops params diff [a] [b]`: the params a pipeline tracks (stage `params`, top-level `params` files and
 * the whole default params.yaml), compared between two revisions, HEAD and the workspace by default. The
 * result has the shape of `dvc params diff --json`: `{file: {dotted.key: {old, new, diff?}}}`.
 */
import { posix } from "node:path";
import type { Pipeline } from "./dvcYaml.js";
import { DEFAULT_PARAMS_FILE, parseParamsText, selectParams, type ParamsObject } from "./paramsFile.js";
import { assertRevision, isGitRepoWithoutCommits, readAtRevision, type Revision } from "./revisionFiles.js";
import { readPipelinesOrWarn } from "./revisionPipelines.js";
import { diffValues, type ValueChange } from "./valueDiff.js";

export type ParamsDiff = Record<string, Record<string, ValueChange>>;

/**
 * Params files (relative to root) and the keys tracked in each; "all" for whole files. `depsOnly`: only what
 * stages depend on, not the top-level `params` files.
 */
export function trackedParams(
  pipeline: Pipeline | undefined,
  depsOnly = false,
): Map<string, Set<string> | "all"> {
  const tracked = new Map<string, Set<string> | "all">();
  const add = (file: string, keys: readonly string[] | "all"): void => {
    const previous = tracked.get(file);
    if (previous === "all" || keys === "all") tracked.set(file, "all");
    else tracked.set(file, new Set([...(previous ?? []), ...keys]));
  };
  for (const stage of pipeline?.stages ?? []) {
    for (const dep of stage.params) add(posix.normalize(posix.join(stage.relWdir, dep.file)), dep.keys);
  }
  if (!depsOnly) for (const file of pipeline?.params ?? []) add(posix.normalize(file), "all");
  return tracked;
}

/**
 * dvc's `_collect_vars`: the keys stages interpolated from vars files, for files not already listed as params
 * (those are shown anyway, and only once).
 */
function addTrackedVars(tracked: Map<string, Set<string> | "all">, pipeline: Pipeline | undefined): void {
  const vars = new Map<string, Set<string>>();
  for (const stage of pipeline?.stages ?? []) {
    for (const [file, keys] of Object.entries(stage.trackedVars ?? {})) {
      if (tracked.has(file)) continue;
      vars.set(file, new Set([...(vars.get(file) ?? []), ...keys]));
    }
  }
  for (const [file, keys] of vars) tracked.set(file, keys);
}

async function paramsAt(
  root: string,
  file: string,
  keys: Set<string> | "all",
  rev: Revision,
): Promise<ParamsObject> {
  const text = await readAtRevision(root, file, rev);
  if (text === undefined) return {};
  const all = parseParamsText(file, text);
  return keys === "all" ? all : selectParams(all, [...keys]);
}

/** What a params diff compares, besides its revisions. */
export interface ParamsDiffOptions {
  /** Include unchanged params. */
  all?: boolean;
  /** `--targets`: these params files (repo-relative), whole, instead of what the pipeline tracks. */
  targets?: readonly string[];
  /** `--deps`: only the params stages depend on (no top-level params files, no default file, no vars). */
  depsOnly?: boolean;
  /** dvc's warning for a revision whose pipeline could not be loaded, and that revision's label. */
  onWarning?: (message: string, revision: string) => void;
}

/**
 * What `rev` tracks: its own pipeline's params and vars, and the default params file whole; nothing at all when
 * its pipeline cannot be read (dvc then reads no params for that revision, not even params.yaml). Targets
 * replace all of it, as in dvc's `_collect_params`.
 */
async function trackedAt(
  root: string,
  rev: Revision,
  options: ParamsDiffOptions,
): Promise<Map<string, Set<string> | "all">> {
  const targets = options.targets ?? [];
  if (targets.length > 0) {
    return new Map(targets.map((file) => [posix.normalize(file.replaceAll("\\", "/")), "all" as const]));
  }
  const onWarning = options.onWarning ?? (() => undefined);
  const pipeline = await readPipelinesOrWarn(root, rev, "params", onWarning);
  if (pipeline === null) return new Map();
  const tracked = trackedParams(pipeline, options.depsOnly === true);
  if (options.depsOnly === true) return tracked;
  // dvc's `_collect_params` adds the default params file whole at every revision where it exists, whatever
  // the stages list; a revision without it reads as no params, as for any other file.
  tracked.set(DEFAULT_PARAMS_FILE, "all");
  addTrackedVars(tracked, pipeline);
  return tracked;
}

/**
 * Each revision's params as its own dvc.yaml tracks them (dvc's `params show` per revision, then a diff): a
 * param tracked at one revision only is added or removed.
 */
export async function paramsDiff(
  root: string,
  revA?: string,
  revB?: string,
  options: ParamsDiffOptions = {},
): Promise<ParamsDiff> {
  const a: Revision = revA ?? "HEAD";
  const b: Revision = revB;
  if (await isGitRepoWithoutCommits(root)) return {};
  await assertRevision(root, a);
  if (b !== undefined) await assertRevision(root, b);
  const trackedA = await trackedAt(root, a, options);
  const trackedB = await trackedAt(root, b, options);
  const result: ParamsDiff = {};
  for (const file of new Set([...trackedA.keys(), ...trackedB.keys()])) {
    const keysA = trackedA.get(file);
    const keysB = trackedB.get(file);
    const changes = diffValues(
      keysA === undefined ? {} : await paramsAt(root, file, keysA, a),
      keysB === undefined ? {} : await paramsAt(root, file, keysB, b),
      options.all === true,
    );
    if (Object.keys(changes).length > 0) result[file] = changes;
  }
  return result;
}
