/**
 * Which stages and `.dvc` outs `dvc status <targets>` looks at, resolved as DVC's `collect_granular`
 * (dvc/repo/stage.py) does, in its order of priority: a stage (or foreach group) name of the dvc.yaml in the
 * cwd; a `dvc.yaml` or `.dvc` file, with `:name` for one stage of a dvc.yaml; the one output (of a stage or a
 * `.dvc` file) that the path is or lies inside, which shows only that stage's outs containing the path and
 * never adds upstream stages; and last the name again, for the error. `withDeps` adds every stage a
 * selected stage depends on, upstream first. `dvc repro` resolves its targets by the same rules without the
 * output step (`resolveReproTargets`). Errors carry dvc's messages. It reads only.
 */
import { existsSync, statSync } from "node:fs";
import { relative, resolve, sep } from "node:path";
import { isSameOrInside, type TrackedOut } from "../data/dvcFile.js";
import { isValidDvcFileName, targetFile } from "../data/dvcTarget.js";
import { unmatchedTarget } from "../data/unmatchedTarget.js";
import { FlowOpsError } from "../errors.js";
import { PIPELINE_FILE, stageAddress, type Pipeline, type Stage } from "./dvcYaml.js";
import { dataSourcesFeeding, dvcFileOuts } from "./dataSources.js";
import { buildDag, parseStageTarget } from "./pipelineDag.js";
import { stageNameGlob } from "./stageNameGlob.js";
import { stageOuts } from "./stageStatus.js";

const DVC_FILE_SUFFIX = ".dvc";

/** One thing to report on, in the order the targets name them. */
export type StatusSelection =
  /** `filter`: absolute path; only the stage's outs that are it or contain it are reported. */
  | { kind: "stage"; stage: Stage; filter?: string }
  /** The outs of a `.dvc` file that a target selects (all of them, or the one a path lies in). */
  | { kind: "tracked"; outs: TrackedOut[] };

export interface StatusTargetSources {
  root: string;
  cwd: string;
  /** The workspace's pipeline; undefined when it has no dvc.yaml. */
  pipeline: Pipeline | undefined;
  tracked: readonly TrackedOut[];
}

const posixRel = (from: string, to: string): string => relative(from, to).split(sep).join("/");

/**
 * DVC's `parse_target`, with a bare name (`file` undefined) kept apart from `dvc.yaml:name`: it may be an
 * output path as well as a stage name of the cwd's dvc.yaml.
 */
function parseTarget(target: string): { file?: string; name?: string } {
  const parsed = parseStageTarget(target);
  return parsed.name === target ? { name: target } : parsed;
}

/**
 * Resolves every target; an unknown one is RESOURCE_DOES_NOT_EXIST with dvc's message. With `recursive`
 * (`dvc status -R`), a target that is a directory selects every stage and `.dvc` file defined inside it, at
 * any depth, and nothing upstream (DVC's `collect_inside_path`); other targets resolve as without it.
 */
export function resolveStatusTargets(
  sources: StatusTargetSources,
  targets: readonly string[],
  withDeps: boolean,
  recursive = false,
): StatusSelection[] {
  return targets.flatMap((target) => {
    const posixTarget = target.replaceAll("\\", "/");
    const abs = resolve(sources.cwd, posixTarget);
    if (recursive && isDirectory(abs)) return insideDirectory(sources, abs);
    return resolveTarget(sources, posixTarget, withDeps);
  });
}

/** How `dvc repro` reads its targets besides stage names and files. */
export interface ReproTargetOptions {
  /** `-R`: a target that is a directory selects every stage of every dvc.yaml inside it, at any depth. */
  recursive?: boolean;
  /** `--glob`: the name part of a target (`train-*`, `dir/dvc.yaml:eval?`) is a Python fnmatch pattern. */
  glob?: boolean;
}

/**
 * The stages `dvc repro <targets>` starts from, loaded as DVC's `collect` loads them (`from_target`): a stage
 * or foreach group of the cwd's dvc.yaml, `file:name`, or a dvc.yaml for all its stages, paths relative to
 * the cwd; never an output path. No targets means the cwd's dvc.yaml, so from a subdirectory only its own
 * pipeline (and what that depends on) is reproduced, and a cwd without one is an error, as in dvc. A `.dvc`
 * file selects no stage: its outs are data, not something to run. Each stage once, in the targets' order.
 * With `recursive`, a directory selects the stages defined inside it, in run order (DVC's
 * `collect_inside_path`); with `glob`, a name that is no group is a pattern that may select none.
 */
export function resolveReproTargets(
  sources: Omit<StatusTargetSources, "tracked">,
  targets: readonly string[],
  options: ReproTargetOptions = {},
): Stage[] {
  const fromTargets = (targets.length > 0 ? targets : [PIPELINE_FILE]).flatMap((target): Stage[] => {
    const posixTarget = target.replaceAll("\\", "/");
    if (options.recursive === true && sources.pipeline !== undefined) {
      const abs = resolve(sources.cwd, posixTarget);
      if (isDirectory(abs)) {
        return buildDag(sources.pipeline)
          .order()
          .filter((stage) => isSameOrInside(stage.pipelineFile, abs));
      }
    }
    if (options.glob === true) return globTarget(sources, posixTarget);
    const { file, name } = parseTarget(posixTarget);
    // A bare name assumes the cwd's dvc.yaml, which dvc names as it assumed it when it is missing.
    if (file === undefined) targetFile(sources.cwd, undefined);
    return fromFile({ ...sources, tracked: [] }, posixTarget, file ?? PIPELINE_FILE, name, false).flatMap(
      (selection) => (selection.kind === "stage" ? [selection.stage] : []),
    );
  });
  return [...new Set(fromTargets)];
}

/**
 * A `--glob` target, as DVC's `parse_target(isa_glob=True)` splits it: the file before the last `:` (the
 * cwd's dvc.yaml when none), the pattern after it. A group's name selects the group; otherwise the pattern
 * is matched against the names inside that file, and matching none is not an error.
 */
function globTarget(sources: Omit<StatusTargetSources, "tracked">, target: string): Stage[] {
  const colon = target.lastIndexOf(":");
  const file = colon < 0 ? "" : target.slice(0, colon);
  const pattern = colon < 0 ? target : target.slice(colon + 1);
  const abs = resolve(sources.cwd, file === "" ? PIPELINE_FILE : file);
  if (!existsSync(abs)) throw new FlowOpsError("RESOURCE_DOES_NOT_EXIST", `'${abs}' does not exist`);
  if (abs.endsWith(DVC_FILE_SUFFIX)) return [];
  const inFile = (sources.pipeline?.stages ?? []).filter((stage) => stage.pipelineFile === abs);
  if (pattern === "") return inFile;
  const group = stageAddress(posixRel(sources.root, abs), pattern);
  const members = inFile.filter((stage) => stage.group === group);
  if (members.length > 0) return members;
  const matches = stageNameGlob(pattern);
  return inFile.filter((stage) => matches.test(stage.lockName));
}

function isDirectory(abs: string): boolean {
  return statSync(abs, { throwIfNoEntry: false })?.isDirectory() === true;
}

/** The stages of every dvc.yaml, and the outs of every `.dvc` file, that lie in `dirAbs` or below it. */
function insideDirectory(sources: StatusTargetSources, dirAbs: string): StatusSelection[] {
  const stages: StatusSelection[] = (sources.pipeline?.stages ?? [])
    .filter((stage) => isSameOrInside(stage.pipelineFile, dirAbs))
    .map((stage) => ({ kind: "stage", stage }));
  const byFile = new Map<string, TrackedOut[]>();
  for (const out of sources.tracked) {
    if (!isSameOrInside(out.dvcFile, dirAbs)) continue;
    byFile.set(out.dvcFile, [...(byFile.get(out.dvcFile) ?? []), out]);
  }
  return [...stages, ...[...byFile.values()].map((outs): StatusSelection => ({ kind: "tracked", outs }))];
}

function resolveTarget(sources: StatusTargetSources, target: string, withDeps: boolean): StatusSelection[] {
  const { file, name } = parseTarget(target);
  if (file === undefined) {
    const stages = stagesInFile(sources, resolve(sources.cwd, PIPELINE_FILE), name);
    if (stages.length > 0) return stageSelections(sources, stages, withDeps);
  } else if (!withDeps && isValidDvcFileName(file)) {
    return fromFile(sources, target, file, name, withDeps);
  }
  const out = outSelection(sources, resolve(sources.cwd, target));
  if (out !== undefined) return [out];
  return fromFile(sources, target, file ?? PIPELINE_FILE, name, withDeps, file === undefined);
}

/** What a dvc.yaml or `.dvc` file (and maybe a stage name in it) selects; DVC's `collect` for one target. */
function fromFile(
  sources: StatusTargetSources,
  target: string,
  file: string,
  name: string | undefined,
  withDeps: boolean,
  bareName = false,
): StatusSelection[] {
  // dvc tries `plain.txt:name` as an out first, then fails to load the file: a bad name, or missing.
  if (!isValidDvcFileName(file)) throw unmatchedTarget(sources.cwd, target).error;
  const abs = resolve(sources.cwd, file);
  const relFile = posixRel(sources.cwd, abs);
  const noOutputOrStage = `'${target}' does not exist as an output or a stage name in '${relFile}'`;
  if (!existsSync(abs)) {
    throw new FlowOpsError(
      "RESOURCE_DOES_NOT_EXIST",
      bareName ? `${noOutputOrStage}: '${relFile}' does not exist` : `'${abs}' does not exist`,
    );
  }
  if (abs.endsWith(DVC_FILE_SUFFIX)) {
    const outs = sources.tracked.filter((tracked) => tracked.dvcFile === abs);
    return outs.length > 0 ? [{ kind: "tracked", outs }] : [];
  }
  const stages = stagesInFile(sources, abs, name);
  if (name !== undefined && stages.length === 0) {
    const notFound = `Stage '${name}' not found inside '${relFile}' file`;
    // Without --with-deps a `file:name` target is loaded straight from its file, and dvc says only this.
    const message = withDeps || bareName ? `${noOutputOrStage}: ${notFound}` : notFound;
    throw new FlowOpsError("RESOURCE_DOES_NOT_EXIST", message);
  }
  return stageSelections(sources, stages, withDeps);
}

/** The stages of the dvc.yaml at `abs` (all, or those named `name` or generated from group `name`). */
function stagesInFile(sources: StatusTargetSources, abs: string, name: string | undefined): Stage[] {
  const inFile = (sources.pipeline?.stages ?? []).filter((stage) => stage.pipelineFile === abs);
  if (name === undefined) return inFile;
  const address = stageAddress(posixRel(sources.root, abs), name);
  return inFile.filter((stage) => stage.name === address || stage.group === address);
}

/**
 * The stages, and with `withDeps` everything upstream of them in DVC's graph: stages, and the `.dvc` files
 * whose outs they read, each just before the first stage that reads it (`dvc status -d train` lists
 * `data.dvc` and then `train`).
 */
function stageSelections(
  sources: StatusTargetSources,
  stages: readonly Stage[],
  withDeps: boolean,
): StatusSelection[] {
  if (!withDeps || sources.pipeline === undefined) return stages.map((stage) => ({ kind: "stage", stage }));
  const dag = buildDag(sources.pipeline);
  const dvcFiles = dvcFileOuts(sources.tracked);
  const seen = new Set<string>();
  return stages
    .flatMap((stage) => dag.upstream(stage.name))
    .filter((stage) => !seen.has(stage.name) && seen.add(stage.name))
    .flatMap((stage): StatusSelection[] => [
      ...dataSourcesFeeding(stage, dvcFiles)
        .filter((dvcFile) => !seen.has(dvcFile) && seen.add(dvcFile))
        .map((dvcFile): StatusSelection => ({ kind: "tracked", outs: dvcFiles.get(dvcFile)! })),
      { kind: "stage", stage },
    ]);
}

/** The one output (of a `.dvc` file or a stage) that `abs` is or lies inside, as `find_outs_by_path`. */
function outSelection(sources: StatusTargetSources, abs: string): StatusSelection | undefined {
  const tracked = sources.tracked.filter((out) => isSameOrInside(abs, out.abs));
  const stages = (sources.pipeline?.stages ?? []).filter((stage) =>
    stageOuts(stage).some((out) => isSameOrInside(abs, resolve(stage.wdir, out.path))),
  );
  const [only] = tracked;
  if (tracked.length === 1 && stages.length === 0 && only !== undefined)
    return { kind: "tracked", outs: [only] };
  const [stage] = stages;
  if (stages.length === 1 && tracked.length === 0 && stage !== undefined)
    return { kind: "stage", stage, filter: abs };
  return undefined;
}
