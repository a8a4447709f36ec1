/**
 * The target flags that `dvc push|fetch|pull|checkout` share, turned into plain targets before the outs are
 * selected: `--glob` expands path patterns (dvc's `glob_targets`), `-R` turns a directory into the `.dvc`
 * files and stages defined inside it (`collect_inside_path`), and `-d` adds to a stage everything it depends
 * on, stages and `.dvc` files alike, as DVC's graph holds both (`_collect_with_deps`). An output path stays
 * what it is with `-d`: dvc selects just that output then.
 */
import { statSync } from "node:fs";
import { resolve } from "node:path";
import { readPipelinesIfAny } from "../pipelines/pipelineFiles.js";
import { resolveStatusTargets, type StatusSelection } from "../pipelines/statusTargets.js";
import type { Stage } from "../pipelines/dvcYaml.js";
import { loadTrackedOuts, type WalkedRepo } from "./dvcFile.js";
import { expandPathGlobs } from "./pathGlob.js";

export interface TargetExpansionOptions {
  /** Targets are relative to this; the process's cwd by default. */
  cwd?: string;
  glob?: boolean;
  recursive?: boolean;
  withDeps?: boolean;
}

/** The targets to select outs with, each a path, a `.dvc` file, or a stage as `<dvc.yaml path>:<name>`. */
export async function expandDataTargets(
  repo: WalkedRepo,
  targets: readonly string[],
  options: TargetExpansionOptions = {},
): Promise<string[]> {
  const cwd = options.cwd ?? process.cwd();
  let expanded =
    options.glob === true && targets.length > 0 ? await expandPathGlobs(cwd, targets) : [...targets];
  if (expanded.length === 0 || (options.recursive !== true && options.withDeps !== true)) return expanded;
  const pipeline = await readPipelinesIfAny(repo);
  const tracked = await loadTrackedOuts(repo);
  const sources = { root: repo.root, cwd, pipeline, tracked };
  expanded = expanded.flatMap((target) => {
    if (options.recursive === true && isDirectory(resolve(cwd, target))) {
      const inside = selectionTargets(resolveStatusTargets(sources, [target], false, true));
      // Nothing defined inside: the directory stays a target, as a path it may still name outs by.
      return inside.length > 0 ? inside : [target];
    }
    if (options.withDeps !== true) return [target];
    // The stages and the `.dvc` files upstream of them, as `status -d` lists them.
    const selections = resolveStatusTargets(sources, [target], true, false);
    const stages = selections.filter((s) => s.kind === "stage" && s.filter === undefined);
    return stages.length === 0 ? [target] : selectionTargets(selections);
  });
  return [...new Set(expanded)];
}

function selectionTargets(selections: readonly StatusSelection[]): string[] {
  return selections.flatMap((selection) =>
    selection.kind === "stage" ? [stageTarget(selection.stage)] : selection.outs.map((out) => out.dvcFile),
  );
}

/** A stage as a target that resolves to it from any cwd: its dvc.yaml's absolute path and its own name. */
function stageTarget(stage: Stage): string {
  return `${stage.pipelineFile}:${stage.lockName}`;
}

function isDirectory(abs: string): boolean {
  return statSync(abs, { throwIfNoEntry: false })?.isDirectory() === true;
}
