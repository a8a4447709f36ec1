/**
 * Which declared stages a target names, and which of their outs, as dvc's `collect_granular` resolves a
 * target against dvc.yaml files: it needs no dvc.lock, so a stage whose outs have no hash yet is still named.
 * Tracked objects are found elsewhere (usedObjects' selectOuts); this answers for the pipeline's declarations.
 */
import { basename, isAbsolute, join, relative, resolve, sep } from "node:path";
import { PIPELINE_FILE, type Pipeline, type Stage } from "../pipelines/dvcYaml.js";
import { readPipelinesIfAny } from "../pipelines/pipelineFiles.js";
import type { WalkedRepo } from "./dvcFile.js";
import { relPosix } from "./repoPosixPath.js";
import { stageTargetAddress } from "./usedObjects.js";

/** A stage as declared: where its dvc.yaml is and its outs (cached or not), absolute, in dvc's order. */
export interface DeclaredStage {
  pipelineFile: string;
  lockName: string;
  outs: readonly string[];
}

/** The workspace's stages, top-down (none without a dvc.yaml); a pipeline that does not load fails. */
export async function workspaceDeclaredStages(repo: WalkedRepo): Promise<DeclaredPipelineStage[]> {
  const pipeline = await readPipelinesIfAny(repo);
  return pipeline === undefined ? [] : declaredStagesOf(pipeline, repo.root);
}

export interface DeclaredPipelineStage extends DeclaredStage {
  stage: Stage;
}

/** A loaded pipeline's stages, top-down. */
export function declaredStagesOf(pipeline: Pipeline, root: string): DeclaredPipelineStage[] {
  return topDown(pipeline.files, (file) => relative(root, join(file, ".."))).flatMap((file) =>
    pipeline.stages
      .filter((stage) => stage.pipelineFile === file)
      .map((stage) => ({ pipelineFile: file, lockName: stage.lockName, outs: declaredOuts(stage), stage })),
  );
}

/** As dvc loads a stage: outs, then metrics, then plots, absolute; `filter` keeps some. */
export function declaredOuts(
  stage: Stage,
  filter: (out: Stage["outs"][number]) => boolean = () => true,
): string[] {
  return [...stage.outs, ...stage.metrics, ...stage.plots]
    .filter(filter)
    .map((out) => resolve(stage.wdir, out.path));
}

/** dvc walks top-down: a directory's own dvc.yaml before those of its subdirectories. */
export function topDown<T>(items: readonly T[], dirOf: (item: T) => string): T[] {
  const parts = (item: T): string[] => dirOf(item).split(sep).join("/").split("/").filter(Boolean);
  return [...items].sort((a, b) => {
    const [left, right] = [parts(a), parts(b)];
    for (let index = 0; index < Math.min(left.length, right.length); index += 1) {
      if (left[index] !== right[index]) return left[index]! < right[index]! ? -1 : 1;
    }
    return left.length - right.length;
  });
}

export interface DeclaredSelection<S extends DeclaredStage> {
  stage: S;
  /** The path the target named, for a target that is an out or a path inside one: only outs holding it count. */
  within?: string;
}

/**
 * The stages `target` names, in the order dvc collects them, or none when it names nothing declared. As dvc:
 * `file:name` or a bare name (a stage of the cwd's dvc.yaml) first; a dvc.yaml path names all its stages; else
 * the out at that path or holding it; a directory only with `recursive`, naming every stage of the dvc.yaml
 * files under it. `stages` come top-down, each file's stages in its order.
 */
export function selectDeclared<S extends DeclaredStage>(
  stages: readonly S[],
  root: string,
  cwd: string,
  target: string,
  recursive = false,
): DeclaredSelection<S>[] {
  const abs = resolve(cwd, target);
  if (recursive && stages.some((stage) => isInside(abs, stage.pipelineFile))) {
    return stages.filter((stage) => isInside(abs, stage.pipelineFile)).map((stage) => ({ stage }));
  }
  if (basename(abs) === PIPELINE_FILE) {
    const inFile = stages.filter((stage) => stage.pipelineFile === abs);
    if (inFile.length > 0) return inFile.map((stage) => ({ stage }));
  }
  const address = stageTargetAddress(root, cwd, target);
  const named = stages.filter((stage) => addressOf(root, stage) === address);
  if (named.length > 0) return named.map((stage) => ({ stage }));
  return stages
    .filter((stage) => stage.outs.some((out) => abs === out || isInside(out, abs)))
    .map((stage) => ({ stage, within: abs }));
}

/** Whether the out at `out` counts for a selection: all of them, or only the out at or holding `within`. */
export function outSelected(out: string, within: string | undefined): boolean {
  return within === undefined || within === out || isInside(out, within);
}

/** The stage spelled as stageTargetAddress spells it: `name` in the root's dvc.yaml, else `path:name`. */
function addressOf(root: string, stage: DeclaredStage): string {
  const file = relPosix(root, stage.pipelineFile);
  return file === PIPELINE_FILE ? stage.lockName : `${file}:${stage.lockName}`;
}

/** Whether `path` lies strictly below the directory `dir` (a dvc.yaml directly in `dir` included). */
function isInside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel);
}
