/**
 * Metrics files of a pipeline (stage `metrics` outs and top-level `metrics`), read as DVC reads them (JSON,
 * YAML, TOML by extension) for `flowops metrics show` and `flowops metrics diff`, with the JSON shapes of
 * `dvc metrics show --json` (`{"": {"data": {path: {"data": {...}}}}}`) and `dvc metrics diff --json`.
 */
import { posix } from "node:path";
import { malformedFile } from "../data/yamlFile.js";
import { FlowOpsError } from "../errors.js";
import type { Pipeline } from "./dvcYaml.js";
import { parseDataText } from "./paramsFile.js";
import { stagePath } from "./pipelineDag.js";
import { assertRevision, type Revision } from "./revisionFiles.js";
import { readPipelinesAt } from "./revisionPipelines.js";
import { TrackedFileReader } from "./trackedFileText.js";
import { diffValues, type ValueChange } from "./valueDiff.js";
import { isPlainObject, type PyValue } from "./pythonValues.js";

export type MetricsFileResult = { data: Record<string, PyValue> } | { error: { type: string; msg: string } };
export type MetricsShow = Record<string, { data: Record<string, MetricsFileResult> }>;
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

function metricsOfFile(path: string, text: string): Record<string, PyValue> {
  const value = parseDataText(path, text);
  // A top-level list (or null) holds no metrics for DVC either; a lone scalar it would show as the file's
  // data, which does not fit this result's shape, so it is reported as unreadable instead.
  if (Array.isArray(value) || value === null) return {};
  if (!isPlainObject(value))
    throw malformedFile(path, 1, `expected a mapping of metrics, got ${typeof value}`);
  return extractMetrics(value as Record<string, PyValue>);
}

async function readMetrics(
  files: TrackedFileReader,
  pipeline: Pipeline | undefined,
  path: string,
  rev: Revision,
): Promise<MetricsFileResult> {
  const text = await files.read(path, rev, pipeline);
  if (text === undefined) {
    return {
      error: {
        type: "FileNotFoundError",
        msg: `${path} does not exist${rev === undefined ? "" : ` at ${rev}`}`,
      },
    };
  }
  try {
    return { data: metricsOfFile(path, text) };
  } catch (error) {
    if (error instanceof FlowOpsError) return { error: { type: "ParseError", msg: error.message } };
    throw error;
  }
}

/**
 * Metrics in the workspace (or at `rev`, the files that revision's dvc.yaml lists), keyed by revision: `""` is
 * the workspace, as DVC prints it.
 */
export async function metricsShow(root: string, rev?: string): Promise<MetricsShow> {
  if (rev !== undefined) await assertRevision(root, rev);
  const data: Record<string, MetricsFileResult> = {};
  const pipeline = await readPipelinesAt(root, rev);
  const files = new TrackedFileReader(root);
  try {
    for (const path of metricsPaths(pipeline)) data[path] = await readMetrics(files, pipeline, path, rev);
  } finally {
    files.close();
  }
  return { [rev ?? ""]: { data } };
}

/** Each revision's metrics files as its own dvc.yaml lists them; a file listed at one revision only is all new or all gone. */
export async function metricsDiff(
  root: string,
  revA?: string,
  revB?: string,
  options: { all?: boolean } = {},
): Promise<MetricsDiff> {
  const a = revA ?? "HEAD";
  await assertRevision(root, a);
  if (revB !== undefined) await assertRevision(root, revB);
  const result: MetricsDiff = {};
  const pipelineA = await readPipelinesAt(root, a);
  const pipelineB = await readPipelinesAt(root, revB);
  const pathsA = new Set(metricsPaths(pipelineA));
  const pathsB = new Set(metricsPaths(pipelineB));
  const files = new TrackedFileReader(root);
  const metricsAt = async (
    paths: Set<string>,
    pipeline: Pipeline | undefined,
    path: string,
    rev: Revision,
  ): Promise<Record<string, PyValue>> => {
    if (!paths.has(path)) return {};
    const read = await readMetrics(files, pipeline, path, rev);
    return "data" in read ? read.data : {};
  };
  try {
    for (const path of new Set([...pathsB, ...pathsA])) {
      const changes = diffValues(
        await metricsAt(pathsA, pipelineA, path, a),
        await metricsAt(pathsB, pipelineB, path, revB),
        options.all === true,
      );
      if (Object.keys(changes).length > 0) result[path] = changes;
    }
  } finally {
    files.close();
  }
  return result;
}
