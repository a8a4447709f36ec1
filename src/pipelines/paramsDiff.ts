/**
 * `flowops params diff [a] [b]`: the params a pipeline tracks (stage `params`, top-level `params` files and
 * the whole default params.yaml), compared between two revisions, HEAD and the workspace by default. The
 * result has the shape of `dvc params diff --json`: `{file: {dotted.key: {old, new, diff?}}}`.
 */
import { posix } from "node:path";
import { assertUsesGit } from "../data/noScm.js";
import type { Pipeline } from "./dvcYaml.js";
import { decodeUtf8 } from "./dataFileReadError.js";
import { DEFAULT_PARAMS_FILE, parseParamsText, selectParams, type ParamsObject } from "./paramsFile.js";
import { ParamsFileReadError } from "./paramsFileReadError.js";
import { readParamsPipelineOrWarn } from "./paramsRevisionLoad.js";
import {
  assertRevision,
  isGitRepoWithoutCommits,
  readBytesAtRevision,
  revisionLabel,
  type Revision,
} from "./revisionFiles.js";
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

/**
 * The params `rev` holds in `file`; undefined when dvc's `read_param_file` fails on it (missing, not UTF-8, or
 * not its format), which dvc shows as no params there and counts as a failure of the revision.
 */
async function paramsAt(
  root: string,
  file: string,
  keys: Set<string> | "all",
  rev: Revision,
): Promise<ParamsObject | undefined> {
  const bytes = await readBytesAtRevision(root, file, rev);
  const text = bytes === undefined ? undefined : decodeUtf8(bytes);
  if (text === undefined) return undefined;
  let all: ParamsObject;
  try {
    all = parseParamsText(file, text);
  } catch (error) {
    if (error instanceof ParamsFileReadError) return undefined;
    throw error;
  }
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
  /**
   * The labels of the revisions dvc names in its closing line ("DVC failed to load some metrics for following
   * revisions"), old before new: those whose pipeline or any tracked params file could not be read.
   */
  onErroredRevisions?: (revisions: string[]) => void;
  /** The directory dvc names unreadable files relative to, in warnings; the root by default. */
  cwd?: string;
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
  const pipeline = await readParamsPipelineOrWarn(root, rev, options.cwd ?? root, onWarning);
  if (pipeline === null) return new Map();
  const tracked = trackedParams(pipeline, options.depsOnly === true);
  if (options.depsOnly === true) return tracked;
  // dvc's `_collect_params` adds the default params file whole at every revision where it exists, whatever
  // the stages list; where it does not, only a stage that lists its keys reads it (and fails to).
  if ((await readBytesAtRevision(root, DEFAULT_PARAMS_FILE, rev)) !== undefined) {
    tracked.set(DEFAULT_PARAMS_FILE, "all");
  }
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
  await assertUsesGit(root);
  if (await isGitRepoWithoutCommits(root)) return {};
  await assertRevision(root, a);
  if (b !== undefined) await assertRevision(root, b);
  // dvc's brancher loads the workspace first, compared or not: one whose pipeline does not load is warned about,
  // though neither read nor named in the closing line. Targets are read without loading any pipeline.
  if (b !== undefined && (options.targets ?? []).length === 0) {
    await readParamsPipelineOrWarn(
      root,
      undefined,
      options.cwd ?? root,
      options.onWarning ?? (() => undefined),
    );
  }
  const failed = new Set<string>();
  const onWarning = (message: string, revision: string): void => {
    failed.add(revision);
    options.onWarning?.(message, revision);
  };
  // The workspace loads first, so its warning leads when it is the compared revision too.
  const trackedFirst = await trackedAt(root, b === undefined ? b : a, { ...options, onWarning });
  const trackedSecond = await trackedAt(root, b === undefined ? a : b, { ...options, onWarning });
  const [trackedA, trackedB] =
    b === undefined ? [trackedSecond, trackedFirst] : [trackedFirst, trackedSecond];
  const read = async (file: string, keys: Set<string> | "all" | undefined, rev: Revision) => {
    if (keys === undefined) return {};
    const params = await paramsAt(root, file, keys, rev);
    if (params === undefined) failed.add(revisionLabel(rev));
    return params ?? {};
  };
  const result: ParamsDiff = {};
  for (const file of new Set([...trackedA.keys(), ...trackedB.keys()])) {
    const changes = diffValues(
      await read(file, trackedA.get(file), a),
      await read(file, trackedB.get(file), b),
      options.all === true,
    );
    if (Object.keys(changes).length > 0) result[file] = changes;
  }
  // dvc's `errors` dict: the old revision's entry first, one entry when both name the same label.
  const errored = [revisionLabel(a), revisionLabel(b)].filter(
    (label, i, all) => failed.has(label) && all.indexOf(label) === i,
  );
  if (errored.length > 0) options.onErroredRevisions?.(errored);
  return result;
}
