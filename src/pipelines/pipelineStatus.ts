/**
 * The pipeline half of `dvc status`: for every stage of every dvc.yaml, what changed since its dvc.lock entry,
 * in dvc's shapes. JSON: `{"train": [{"changed deps": {"data.txt": "modified", "params.yaml": {"lr":
 * "modified"}}}, {"changed outs": {...}}, "always changed", "changed command"]}`; text: the same, indented with
 * tabs and statuses padded to 20 columns. Both were observed from dvc 3.67.1. With targets it reports what
 * they select (statusTargets.ts), `.dvc` files included, in the targets' order, so the result is the whole
 * of `dvc status <targets>`. Stages and paths are named relative to the cwd, as dvc names them. It never
 * writes anything.
 */
import { relative, resolve, sep } from "node:path";
import type { DataRepo } from "../data/dataRepo.js";
import { dvcFileStatuses, dvcFileStatusItems } from "../data/dataStatus.js";
import { loadTrackedOuts, isSameOrInside } from "../data/dvcFile.js";
import { readStageLocks } from "./dvcLock.js";
import { cwdStageAddress, type Stage } from "./dvcYaml.js";
import { readPipelinesIfAny } from "./pipelineFiles.js";
import { stageStatusChanges, type StageChange } from "./stageStatus.js";
import { resolveStatusTargets, type StatusSelection } from "./statusTargets.js";

export type ChangedDeps = Record<string, string | Record<string, string>>;
export type StageStatusItem =
  string | { "changed deps": ChangedDeps } | { "changed outs": Record<string, string> };

export interface StageStatusEntry {
  /** The stage's address (`train`, `sub/dvc.yaml:train`), or a `.dvc` file a target selected. */
  stage: string;
  items: StageStatusItem[];
}

export interface PipelineStatus {
  /** Only stages with changes, in pipeline order (or the targets' order). */
  stages: StageStatusEntry[];
  /** Frozen stages: dvc warns that their dependencies are not shown. */
  frozen: string[];
  /** How many stages the workspace's dvc.yaml files define, changed or not. */
  defined: number;
}

export interface PipelineStatusOptions {
  /**
   * Stage names, `file:name`, dvc.yaml or `.dvc` files, or output paths (relative to `cwd`). None: every
   * stage, and no `.dvc` files (dataStatus.ts reports those).
   */
  targets?: readonly string[];
  /** Also report the stages the targeted stages depend on (`dvc status --with-deps`). */
  withDeps?: boolean;
  /** Directory targets select every stage and `.dvc` file inside them (`dvc status -R`). */
  recursive?: boolean;
  /** The directory targets and printed paths are relative to; the repo root by default. */
  cwd?: string;
  /** Ask the repositories of frozen imports from another repository for newer commits (default true). */
  checkUpdates?: boolean;
}

const posixRel = (from: string, to: string): string => relative(from, to).split(sep).join("/");

/** The status of the workspace's stages (or of what `targets` select); empty when there is no dvc.yaml. */
export async function pipelineStatus(
  repo: DataRepo,
  options: PipelineStatusOptions = {},
): Promise<PipelineStatus> {
  const cwd = options.cwd ?? repo.root;
  const targets = options.targets ?? [];
  const pipeline = await readPipelinesIfAny(repo);
  if (pipeline === undefined && targets.length === 0) return { stages: [], frozen: [], defined: 0 };
  const selections: StatusSelection[] =
    targets.length === 0
      ? (pipeline?.stages ?? []).map((stage) => ({ kind: "stage", stage }))
      : resolveStatusTargets(
          { root: repo.root, cwd, pipeline, tracked: await loadTrackedOuts(repo) },
          targets,
          options.withDeps === true,
          options.recursive === true,
        );
  const selectedStages = selections.flatMap((s) => (s.kind === "stage" ? [s.stage] : []));
  const locks = await readStageLocks(selectedStages);
  const changesOf = new Map<Stage, StageChange[]>();
  // Keyed by name: a stage selected twice keeps its first place and its last non-empty answer (dvc's dict update).
  const entries = new Map<string, StageStatusItem[]>();
  const frozenFiles = new Set<string>();
  for (const selection of selections) {
    if (selection.kind === "tracked") {
      const statuses = await dvcFileStatuses(
        repo,
        selection.outs,
        cwd,
        (dvcFile) => frozenFiles.add(dvcFile),
        { checkUpdates: options.checkUpdates ?? true },
      );
      for (const [dvcFile, status] of statuses) entries.set(dvcFile, dvcFileStatusItems(status));
      continue;
    }
    const { stage, filter } = selection;
    let changes = changesOf.get(stage);
    if (changes === undefined) {
      changes = await stageStatusChanges(repo, stage, locks.get(stage.name));
      changesOf.set(stage, changes);
    }
    const shown = changes.filter(
      (change) =>
        filter === undefined ||
        change.kind !== "outs" ||
        isSameOrInside(filter, resolve(stage.wdir, change.path)),
    );
    const items = statusItems(stage, shown, cwd);
    const address = cwdStageAddress(stage, cwd);
    if (items.length > 0) entries.set(address, items);
  }
  repo.state.flush();
  return {
    stages: [...entries].map(([stage, items]) => ({ stage, items })),
    frozen: [
      ...[...new Set(selectedStages)]
        .filter((stage) => stage.frozen)
        .map((stage) => cwdStageAddress(stage, cwd)),
      ...frozenFiles,
    ],
    defined: pipeline?.stages.length ?? 0,
  };
}

function statusItems(stage: Stage, changes: readonly StageChange[], cwd: string): StageStatusItem[] {
  const path = (inWdir: string): string => posixRel(cwd, resolve(stage.wdir, inWdir));
  const deps: ChangedDeps = {};
  const outs: Record<string, string> = {};
  const flags: string[] = [];
  for (const change of changes) {
    if (change.kind === "deps") deps[path(change.path)] = change.status;
    else if (change.kind === "params") {
      const file = path(change.file);
      if (change.key === undefined) deps[file] = change.status;
      else {
        const keys = deps[file];
        deps[file] = { ...(typeof keys === "object" ? keys : {}), [change.key]: change.status };
      }
    } else if (change.kind === "outs") outs[path(change.path)] = change.status;
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
