/**
 * Metrics files of a pipeline (stage `metrics` outs and top-level `metrics`), read as DVC reads them (JSON,
 * YAML, TOML by extension) for `flowops metrics show` and `flowops metrics diff`, with the JSON shapes of
 * `dvc metrics show --json` (`{"": {"data": {path: {"data": {...}}}}}`) and `dvc metrics diff --json`.
 */
import { posix, relative, resolve, sep } from "node:path";
import { FlowOpsError } from "../errors.js";
import { assertUsesGit } from "../data/noScm.js";
import { corruptedFileError, decodeUtf8 } from "./dataFileReadError.js";
import type { Pipeline } from "./dvcYaml.js";
import { flattenParams, parseDataText } from "./paramsFile.js";
import { pipelineLoadFailure } from "./pipelineLoadFailure.js";
import { stagePath } from "./pipelineDag.js";
import {
  assertRevision,
  filesUnderAtRevision,
  isGitRepoWithoutCommits,
  revisionLabel,
  type Revision,
} from "./revisionFiles.js";
import { activeBranch, revisionsIn, type RevisionScope } from "./revisionSets.js";
import { readPipelinesAt, readPipelinesOrWarn } from "./revisionPipelines.js";
import { TrackedFileReader } from "./trackedFileText.js";
import { diffValues, type ValueChange } from "./valueDiff.js";
import { isPlainObject, parsePythonJson, pyJsonDumps, PyFloat, PyInt, type PyValue } from "./pythonValues.js";

/** A file's metrics: a mapping, or (as dvc allows) a lone number, bool or string. */
export type MetricsData = Record<string, PyValue> | PyValue;
export type MetricsFileResult = { data: MetricsData } | { error: { type: string; msg: string } };
/**
 * One revision's metrics by file; `error` (then `data` is empty) when the revision could not be read at all,
 * which dvc reports as `{"error": {...}}` in place of the revision's data.
 */
export interface RevisionMetrics {
  data: Record<string, MetricsFileResult>;
  error?: { type: string; msg: string };
}
export type MetricsShow = Record<string, RevisionMetrics>;
export type MetricsDiff = Record<string, Record<string, ValueChange>>;

/** dvc's `_collect_metrics` order: each stage's metrics as its dvc.yaml lists them, then top-level ones. */
export function metricsPaths(pipeline: Pipeline | undefined): string[] {
  const paths = new Set<string>();
  for (const stage of pipeline?.stages ?? []) {
    for (const m of stage.metrics) paths.add(stagePath(stage, m.path));
  }
  for (const m of pipeline?.metrics ?? []) paths.add(posix.normalize(m));
  return [...paths];
}

/**
 * dvc's `_extract_metrics`: numbers, bools and strings are metrics; lists and nulls are not, and a mapping
 * left with no metrics is dropped with them, so neither `show` nor `diff` ever lists them.
 */
function extractMetrics(values: Record<string, PyValue>): Record<string, PyValue> {
  const metrics: Record<string, PyValue> = {};
  for (const [key, value] of Object.entries(values)) {
    if (isPlainObject(value)) {
      const nested = extractMetrics(value as Record<string, PyValue>);
      if (Object.keys(nested).length > 0) metrics[key] = nested;
    } else if (value !== null && !Array.isArray(value)) {
      metrics[key] = value;
    }
  }
  return metrics;
}

/** dvc's `_extract_metrics` on a whole file: a scalar stays as it is, a list or null holds no metrics. */
function metricsOfFile(path: string, text: string): MetricsData {
  const value = parseDataText(path, text);
  if (isPlainObject(value)) return extractMetrics(value as Record<string, PyValue>);
  if (Array.isArray(value) || value === null) return {};
  // dvc's `_read_metric` ends with `val or {}`: a lone 0, false or "" holds no metrics either.
  return truthy(value as PyValue) ? (value as PyValue) : {};
}

/** Metrics as flat dotted keys, for tables: a lone value is one metric with the empty name, as dvc shows it. */
export function flatMetrics(data: MetricsData): Record<string, PyValue> {
  return isPlainObject(data) ? flattenParams(data) : { "": data };
}

/** Python's truthiness, for dvc's `if not d` on a file's metrics. */
function truthy(value: PyValue): boolean {
  if (value === null || value === false || value === "" || value === 0) return false;
  if (value instanceof PyFloat) return value.value !== 0;
  if (value instanceof PyInt) return value.value !== 0n;
  return !(Array.isArray(value) && value.length === 0);
}

/** dvc's `_parse`: a lone string that is JSON counts as what it encodes. */
function parsedRaw(path: string, data: MetricsData): MetricsData {
  if (typeof data !== "string") return data;
  try {
    return parsePythonJson(path, data) as PyValue;
  } catch {
    return data;
  }
}

/**
 * dvc's `utils.diff._diff` for one file: mappings by dotted key (a lone value facing a mapping reads "unable to
 * parse" for each of its keys), two lone values as one metric with the empty name.
 */
function diffMetricsData(
  path: string,
  oldData: MetricsData,
  newData: MetricsData,
  withUnchanged: boolean,
): Record<string, ValueChange> {
  const before = parsedRaw(path, oldData);
  const after = parsedRaw(path, newData);
  if (isPlainObject(before) || isPlainObject(after)) {
    const unparsable = (data: PyValue): PyValue | undefined =>
      !isPlainObject(data) && truthy(data) ? "unable to parse" : undefined;
    const missingOld = unparsable(before);
    const missingNew = unparsable(after);
    return diffValues(isPlainObject(before) ? before : {}, isPlainObject(after) ? after : {}, withUnchanged, {
      ...(missingOld !== undefined ? { old: missingOld } : {}),
      ...(missingNew !== undefined ? { new: missingNew } : {}),
    });
  }
  return diffValues({ "": before }, { "": after }, withUnchanged);
}

async function readMetrics(
  files: TrackedFileReader,
  pipeline: Pipeline | undefined,
  path: string,
  rev: Revision,
  cwd: string,
): Promise<MetricsFileResult> {
  const bytes = await files.readBytes(path, rev, pipeline);
  if (bytes === undefined) {
    return { error: { type: "FileNotFoundError", msg: `[Errno 2] No such file or directory: '${path}'` } };
  }
  // dvc names the file in these messages by its path in the repo's file system ("/<path>"), relative to the cwd.
  const named = relative(cwd, `/${path}`).split(sep).join("/");
  const text = decodeUtf8(bytes);
  if (text === undefined)
    return { error: { type: "EncodingError", msg: `unable to read: '${named}', is not valid utf-8` } };
  try {
    return { data: metricsOfFile(path, text) };
  } catch (error) {
    if (error instanceof FlowOpsError) return { error: corruptedFileError(named, path) };
    throw error;
  }
}

/** Which files `metricsShow` reads instead of the pipeline's metrics (dvc's `metrics show <targets>`). */
export interface MetricsTargets {
  /** Paths relative to `cwd`, any file (declared as metrics or not); a directory means every file in it. */
  targets?: readonly string[];
  /** The directory targets are relative to; the repo root by default. */
  cwd?: string;
  /** dvc's warning for a revision whose metrics could not be loaded at all. */
  onWarning?: (message: string) => void;
}

/**
 * Metrics in the workspace (or at `rev`, the files that revision's dvc.yaml lists), keyed by revision: `""` is
 * the workspace, as DVC prints it. Paths are repo-relative, POSIX. With targets, only those files, in their order.
 */
export async function metricsShow(
  root: string,
  rev?: string,
  options: MetricsTargets = {},
): Promise<MetricsShow> {
  return { [rev ?? ""]: await revisionMetrics(root, rev, rev ?? "", options) };
}

/** One revision's metrics; `label` names it in dvc's warning (the workspace is "" alone, "workspace" with -a). */
async function revisionMetrics(
  root: string,
  rev: string | undefined,
  label: string,
  options: MetricsTargets,
): Promise<RevisionMetrics> {
  if (rev !== undefined) await assertRevision(root, rev);
  const data: Record<string, MetricsFileResult> = {};
  let pipeline: Pipeline | undefined;
  try {
    pipeline = await readPipelinesAt(root, rev);
  } catch (error) {
    // dvc gathers each revision under its own try: a git-ignored, damaged or unreadable pipeline file or
    // dvc.lock costs that revision its metrics, with a warning, and the command still succeeds.
    if (!(error instanceof FlowOpsError)) throw error;
    const failure = pipelineLoadFailure(error, root, rev, options.cwd ?? root);
    options.onWarning?.(`failed to load metrics in revision '${label}', ${failure.msg}`);
    return { data, error: failure };
  }
  const files = new TrackedFileReader(root);
  const paths =
    options.targets !== undefined && options.targets.length > 0
      ? await targetPaths(root, options.cwd ?? root, options.targets, rev)
      : metricsPaths(pipeline);
  try {
    for (const path of paths) data[path] = await readMetrics(files, pipeline, path, rev, options.cwd ?? root);
  } finally {
    files.close();
  }
  return { data };
}

/**
 * `metrics show -a / -T / -A`: the workspace (as "workspace") and then each revision of the scope, keyed by
 * dvc's labels. The workspace is left out when it equals the branch HEAD is on, as dvc's `_hide_workspace`
 * does. A revision whose pipeline or dvc.lock cannot be read is reported to `onWarning` under its label and
 * kept with its error, as dvc keeps it; one that fails otherwise is reported and left out.
 */
export async function metricsShowAcross(
  root: string,
  scope: RevisionScope,
  options: MetricsTargets = {},
): Promise<MetricsShow> {
  const result: MetricsShow = {};
  result.workspace = await revisionMetrics(root, undefined, "workspace", options);
  for (const revision of await revisionsIn(root, scope)) {
    try {
      result[revision.label] = await revisionMetrics(root, revision.sha, revision.label, options);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      options.onWarning?.(`failed to load metrics in revision '${revision.label}', ${reason}`);
    }
  }
  const branch = await activeBranch(root);
  const onBranch = branch === undefined ? undefined : result[branch];
  // dvc compares results that hold exception objects, which equal nothing: a workspace with an error stays.
  const workspace = result.workspace;
  if (
    onBranch !== undefined &&
    !hasError(workspace) &&
    !hasError(onBranch) &&
    pyJsonDumps(onBranch) === pyJsonDumps(workspace)
  )
    delete result.workspace;
  return result;
}

function hasError(revision: RevisionMetrics): boolean {
  return revision.error !== undefined || Object.values(revision.data).some((file) => "error" in file);
}

/**
 * Targets as repo-relative POSIX paths, a directory (in the workspace, or in Git at `rev`) expanded to its
 * files, as dvc's `try_expand_paths` does on its repo file system.
 */
async function targetPaths(
  root: string,
  cwd: string,
  targets: readonly string[],
  rev: Revision,
): Promise<string[]> {
  const paths = new Set<string>();
  for (const target of targets) {
    const path = relative(root, resolve(cwd, target)).split(sep).join("/");
    for (const file of (await filesUnderAtRevision(root, path, rev)) ?? [path]) paths.add(file);
  }
  return [...paths];
}

/**
 * Each revision's metrics files as its own dvc.yaml lists them (or the targets, at both); a file listed at one
 * revision only is all new or all gone.
 */
export async function metricsDiff(
  root: string,
  revA?: string,
  revB?: string,
  options: Omit<MetricsTargets, "onWarning"> & {
    all?: boolean;
    /** dvc's warning for a revision whose pipeline could not be loaded, and that revision's label. */
    onWarning?: (message: string, revision: string) => void;
    /**
     * The labels of the revisions (old, then new) whose pipeline or any metrics file could not be loaded, which
     * dvc names in its closing line; called once, only when there are some.
     */
    onErroredRevisions?: (revisions: string[]) => void;
  } = {},
): Promise<MetricsDiff> {
  const a = revA ?? "HEAD";
  await assertUsesGit(root);
  if (await isGitRepoWithoutCommits(root)) return {};
  await assertRevision(root, a);
  if (revB !== undefined) await assertRevision(root, revB);
  const result: MetricsDiff = {};
  const errored = new Set<string>();
  const onWarning = (message: string, revision: string): void => {
    errored.add(revision);
    options.onWarning?.(message, revision);
  };
  const targets = options.targets ?? [];
  const cwd = options.cwd ?? root;
  // dvc's brancher loads the workspace first, compared or not: one whose pipeline does not load is warned about,
  // though neither read nor named in the closing line. With targets dvc collects no pipeline there.
  if (revB !== undefined && targets.length === 0) {
    await readPipelinesOrWarn(root, undefined, "metrics", cwd, options.onWarning ?? (() => undefined));
  }
  // A revision whose pipeline cannot be read has no metrics, as in dvc (with a warning).
  const pipelineA = (await readPipelinesOrWarn(root, a, "metrics", cwd, onWarning)) ?? undefined;
  const pipelineB = (await readPipelinesOrWarn(root, revB, "metrics", cwd, onWarning)) ?? undefined;
  // Targets replace each revision's declared metrics files, as in dvc's `metrics diff --targets`.
  const pathsA = new Set(
    targets.length > 0 ? await targetPaths(root, cwd, targets, a) : metricsPaths(pipelineA),
  );
  const pathsB = new Set(
    targets.length > 0 ? await targetPaths(root, cwd, targets, revB) : metricsPaths(pipelineB),
  );
  const files = new TrackedFileReader(root);
  const metricsAt = async (
    paths: Set<string>,
    pipeline: Pipeline | undefined,
    path: string,
    rev: Revision,
  ): Promise<MetricsData> => {
    if (!paths.has(path)) return {};
    const read = await readMetrics(files, pipeline, path, rev, cwd);
    if ("data" in read) return read.data;
    errored.add(revisionLabel(rev));
    return {};
  };
  try {
    for (const path of new Set([...pathsB, ...pathsA])) {
      const changes = diffMetricsData(
        path,
        await metricsAt(pathsA, pipelineA, path, a),
        await metricsAt(pathsB, pipelineB, path, revB),
        options.all === true,
      );
      if (Object.keys(changes).length > 0) result[path] = changes;
    }
  } finally {
    files.close();
  }
  // dvc keys its errors by revision, old then new, so one revision given twice is named once.
  const labels = [...new Set([revisionLabel(a), revisionLabel(revB)])].filter((label) => errored.has(label));
  if (labels.length > 0) options.onErroredRevisions?.(labels);
  return result;
}
