/**
 * `flowops data commit`: DVC's `dvc commit` (dvc/repo/commit.py). It records the workspace's outputs of `.dvc`
 * files and pipeline stages as they are now and puts them into the cache: the step after `repro --no-commit`
 * or `add --no-commit`, or after editing outputs by hand. An output that is only missing from the cache is
 * committed as it is; one whose content, deps or command changed since it was recorded is refused unless
 * `force` (dvc asks on a terminal; nothing is written before every selected item has been checked).
 */
import { relative, sep } from "node:path";
import type { DataRepo } from "../data/dataRepo.js";
import { loadTrackedOuts, type TrackedOut } from "../data/dvcFile.js";
import { ensureGitignored } from "../data/gitignoreEntries.js";
import { saveTrackedOuts } from "../data/saveTrackedOuts.js";
import { FlowOpsError } from "../errors.js";
import { readStageLocks } from "./dvcLock.js";
import { cwdStageAddress, type Stage } from "./dvcYaml.js";
import { readPipelinesIfAny } from "./pipelineFiles.js";
import { recordStage } from "./stageRecord.js";
import { hashIfExists, stageChanges } from "./stageStatus.js";
import { resolveStatusTargets, type StatusSelection } from "./statusTargets.js";

export interface CommitOptions {
  /** Targets are relative to this; the process's cwd by default. */
  cwd?: string;
  /** Commit changed outputs too, recording their new hashes (dvc's `-f`). */
  force?: boolean;
  /** Also the stages the targets depend on (`-d`). */
  withDeps?: boolean;
  /** A directory target means every stage and `.dvc` file inside it (`-R`). */
  recursive?: boolean;
  /** Copy into the cache and leave the workspace's `.dvc`-tracked files as they are (`--no-relink`). */
  noRelink?: boolean;
}

export interface CommitResult {
  /** What was committed, as dvc names it from the cwd: `data.dvc`, `train`, `sub/dvc.yaml:prep`. */
  committed: string[];
}

/** Commits what `targets` select (every `.dvc` file and stage without targets), as `dvc commit` does. */
export async function commitOuts(
  repo: DataRepo,
  targets: readonly string[],
  options: CommitOptions = {},
): Promise<CommitResult> {
  const cwd = options.cwd ?? process.cwd();
  const pipeline = await readPipelinesIfAny(repo);
  const tracked = await loadTrackedOuts(repo);
  const selections: StatusSelection[] =
    targets.length === 0
      ? [
          ...[...groupByFile(tracked).values()].map((outs): StatusSelection => ({ kind: "tracked", outs })),
          ...(pipeline?.stages ?? []).map((stage): StatusSelection => ({ kind: "stage", stage })),
        ]
      : resolveStatusTargets(
          { root: repo.root, cwd, pipeline, tracked },
          targets,
          options.withDeps === true,
          options.recursive === true,
        );
  const stages = [...new Set(selections.flatMap((s) => (s.kind === "stage" ? [s.stage] : [])))];
  const outs = [...new Set(selections.flatMap((s) => (s.kind === "tracked" ? s.outs : [])))];
  if (options.force !== true) await refuseChanged(repo, stages, outs, cwd);
  const committed: string[] = [];
  for (const [dvcFile, fileOuts] of groupByFile(outs)) {
    // Into the same `.dvc` file, whatever its name (`add` would write `<out>.dvc`).
    await saveTrackedOuts(repo, fileOuts, { cwd, ...(options.noRelink === true ? { noRelink: true } : {}) });
    committed.push(relativeName(cwd, dvcFile));
  }
  const order = { planIndex: new Map<string, number>(), addedToLock: new Set<string>() };
  for (const stage of stages) {
    const recorded = await recordStage(repo, stage, true, order);
    for (const path of recorded.gitignored) await ensureGitignored(repo, path);
    committed.push(cwdStageAddress(stage, cwd));
  }
  repo.state.flush();
  return { committed };
}

/** dvc's `prompt_to_commit` without a terminal: any change in what was recorded is an error naming it. */
async function refuseChanged(
  repo: DataRepo,
  stages: readonly Stage[],
  outs: readonly TrackedOut[],
  cwd: string,
): Promise<void> {
  for (const out of outs) {
    const hashed = await hashIfExists(repo, out.abs);
    if (hashed === undefined || hashed.md5 !== out.out.md5) {
      throw unableToCommit(`'${relativeName(cwd, out.dvcFile)}'`);
    }
  }
  const locks = await readStageLocks(stages);
  for (const stage of stages) {
    const changes = (await stageChanges(repo, stage, locks.get(stage.name))).filter(
      // Only missing from the cache is what commit is for; it is no change to the workspace.
      (change) => !(change.kind === "outs" && change.status === "not in cache"),
    );
    if (changes.length > 0) throw unableToCommit(`stage: '${cwdStageAddress(stage, cwd)}'`);
  }
}

function unableToCommit(what: string): FlowOpsError {
  return new FlowOpsError("ABORTED", `unable to commit changed ${what}. Use \`-f|--force\` to force.`);
}

function groupByFile(outs: readonly TrackedOut[]): Map<string, TrackedOut[]> {
  const byFile = new Map<string, TrackedOut[]>();
  for (const out of outs) byFile.set(out.dvcFile, [...(byFile.get(out.dvcFile) ?? []), out]);
  return byFile;
}

function relativeName(cwd: string, abs: string): string {
  return relative(cwd, abs).split(sep).join("/");
}
