/**
 * The pipeline half of `dvc status`: for every stage of every dvc.yaml, what changed since its dvc.lock entry,
 * in dvc's shapes. JSON: `{"train": [{"changed deps": {"data.txt": "modified", "params.yaml": {"lr":
 * "modified"}}}, {"changed outs": {...}}, "always changed", "changed command"]}`; text: the same, indented with
 * tabs and statuses padded to 20 columns. Both were observed from dvc 3.67.1. It never writes anything.
 */
import type { DataRepo } from "../data/dataRepo.js";
import { readStageLocks } from "./dvcLock.js";
import { readPipelinesIfAny } from "./pipelineFiles.js";
import { stageStatusChanges, type StageChange } from "./stageStatus.js";

export type ChangedDeps = Record<string, string | Record<string, string>>;
export type StageStatusItem =
  string | { "changed deps": ChangedDeps } | { "changed outs": Record<string, string> };

export interface StageStatusEntry {
  /** The stage's address (`train`, `sub/dvc.yaml:train`). */
  stage: string;
  items: StageStatusItem[];
}

export interface PipelineStatus {
  /** Only stages with changes, in pipeline order. */
  stages: StageStatusEntry[];
  /** Frozen stages: dvc warns that their dependencies are not shown. */
  frozen: string[];
}

/** The status of every stage of the workspace's pipelines; empty when there is no dvc.yaml. */
export async function pipelineStatus(repo: DataRepo): Promise<PipelineStatus> {
  const pipeline = await readPipelinesIfAny(repo);
  if (pipeline === undefined) return { stages: [], frozen: [] };
  const locks = await readStageLocks(pipeline.stages);
  const stages: StageStatusEntry[] = [];
  for (const stage of pipeline.stages) {
    const items = statusItems(await stageStatusChanges(repo, stage, locks.get(stage.name)));
    if (items.length > 0) stages.push({ stage: stage.name, items });
  }
  return { stages, frozen: pipeline.stages.filter((stage) => stage.frozen).map((stage) => stage.name) };
}

function statusItems(changes: readonly StageChange[]): StageStatusItem[] {
  const deps: ChangedDeps = {};
  const outs: Record<string, string> = {};
  const flags: string[] = [];
  for (const change of changes) {
    if (change.kind === "deps") deps[change.path] = change.status;
    else if (change.kind === "params") {
      if (change.key === undefined) deps[change.file] = change.status;
      else {
        const keys = deps[change.file];
        deps[change.file] = { ...(typeof keys === "object" ? keys : {}), [change.key]: change.status };
      }
    } else if (change.kind === "outs") outs[change.path] = change.status;
    else if (change.kind === "always-changed") flags.push("always changed");
    else flags.push("changed command");
  }
  return [
    ...(Object.keys(deps).length > 0 ? [{ "changed deps": deps }] : []),
    ...(Object.keys(outs).length > 0 ? [{ "changed outs": outs }] : []),
    ...flags,
  ];
}

export function pipelineStatusJson(status: PipelineStatus): Record<string, StageStatusItem[]> {
  return Object.fromEntries(status.stages.map((entry) => [entry.stage, entry.items]));
}

/** dvc's text: `stage:`, then each item indented by a tab; a params file's keys one tab deeper. */
export function formatPipelineStatus(status: PipelineStatus): string {
  const line = (depth: number, text: string): string => `${"\t".repeat(depth)}${text}\n`;
  const statusLine = (depth: number, state: string, path: string): string =>
    line(depth, `${`${state}:`.padEnd(20)}${path}`);
  let text = "";
  for (const { stage, items } of status.stages) {
    text += `${stage}:\n`;
    for (const item of items) {
      if (typeof item === "string") text += line(1, item);
      else if ("changed deps" in item) {
        text += line(1, "changed deps:");
        for (const [path, state] of Object.entries(item["changed deps"])) {
          if (typeof state === "string") text += statusLine(2, state, path);
          else {
            text += line(2, `${path}:`);
            for (const [key, keyState] of Object.entries(state)) text += statusLine(3, keyState, key);
          }
        }
      } else {
        text += line(1, "changed outs:");
        for (const [path, state] of Object.entries(item["changed outs"])) text += statusLine(2, state, path);
      }
    }
  }
  return text;
}
