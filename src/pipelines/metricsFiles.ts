/**
 * Metrics files of a pipeline (stage `metrics` outs and top-level `metrics`), read as DVC reads them (JSON,
 * YAML, TOML by extension) for `flowops metrics show` and `flowops metrics diff`, with the JSON shapes of
 * `dvc metrics show --json` (`{"": {"data": {path: {"data": {...}}}}}`) and `dvc metrics diff --json`.
 */
import { posix } from "node:path";
import { FlowOpsError } from "../errors.js";
import type { Pipeline } from "./dvcYaml.js";
import { readWorkspacePipelines } from "./pipelineFiles.js";
import { parseParamsText } from "./paramsFile.js";
import { stagePath } from "./pipelineDag.js";
import { assertRevision, readAtRevision, type Revision } from "./revisionFiles.js";
import { diffValues, type ValueChange } from "./valueDiff.js";
import type { PyValue } from "./pythonValues.js";

export type MetricsFileResult = { data: Record<string, PyValue> } | { error: { type: string; msg: string } };
export type MetricsShow = Record<string, { data: Record<string, MetricsFileResult> }>;
export type MetricsDiff = Record<string, Record<string, ValueChange>>;

export function metricsPaths(pipeline: Pipeline | undefined): string[] {
  const paths = new Set<string>();
  for (const stage of pipeline?.stages ?? []) {
    for (const m of stage.metrics) paths.add(stagePath(stage, m.path));
  }
  for (const m of pipeline?.metrics ?? []) paths.add(posix.normalize(m));
  return [...paths].sort();
}

async function readMetrics(root: string, path: string, rev: Revision): Promise<MetricsFileResult> {
  const text = await readAtRevision(root, path, rev);
  if (text === undefined) {
    return {
      error: {
        type: "FileNotFoundError",
        msg: `${path} does not exist${rev === undefined ? "" : ` at ${rev}`}`,
      },
    };
  }
  try {
    return { data: parseParamsText(path, text) };
  } catch (error) {
    if (error instanceof FlowOpsError) return { error: { type: "ParseError", msg: error.message } };
    throw error;
  }
}

/** Metrics in the workspace (or at `rev`), keyed by revision: `""` is the workspace, as DVC prints it. */
export async function metricsShow(root: string, rev?: string): Promise<MetricsShow> {
  if (rev !== undefined) await assertRevision(root, rev);
  const data: Record<string, MetricsFileResult> = {};
  for (const path of metricsPaths(await readWorkspacePipelines(root)))
    data[path] = await readMetrics(root, path, rev);
  return { [rev ?? ""]: { data } };
}

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
  for (const path of metricsPaths(await readWorkspacePipelines(root))) {
    const before = await readMetrics(root, path, a);
    const after = await readMetrics(root, path, revB);
    const changes = diffValues(
      "data" in before ? before.data : {},
      "data" in after ? after.data : {},
      options.all === true,
    );
    if (Object.keys(changes).length > 0) result[path] = changes;
  }
  return result;
}
