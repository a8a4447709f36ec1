/**
 * `flowops data commit`: DVC's `dvc commit` (dvc/repo/commit.py). It records the workspace's outputs of `.dvc`
 * files and pipeline stages as they are now and puts them into the cache: the step after `repro --no-commit`
 * or `add --no-commit`, or after editing outputs by hand. An output that is only missing from the cache is
 * committed as it is; one whose content, deps or command changed since it was recorded is refused unless
 * `force` (dvc asks on a terminal). As dvc, items are committed one after another, so a refusal leaves those
 * before it committed; with `force`, a file's items are all checked for missing paths before any is written,
 * as dvc writes a dvc.yaml's lock entries only once every stage of the file was saved.
 */
import { existsSync } from "node:fs";
import { join, relative, sep } from "node:path";
import type { DataRepo } from "../data/dataRepo.js";
import { loadTrackedOuts, type TrackedOut } from "../data/dvcFile.js";
import { ensureGitignored } from "../data/gitignoreEntries.js";
import { saveTrackedOuts } from "../data/saveTrackedOuts.js";
import { FlowOpsError } from "../errors.js";
import { readStageLocks, type LockEntry } from "./dvcLock.js";
import { cwdStageAddress, type Stage } from "./dvcYaml.js";
import { readPipelinesIfAny } from "./pipelineFiles.js";
import { recordStage } from "./stageRecord.js";
import { hashIfExists, stageChanges, stageOuts, summarizeIfExists } from "./stageStatus.js";
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

/** One of dvc's stages: a `.dvc` file with its outs, or a pipeline stage. */
type CommitItem = { kind: "tracked"; dvcFile: string; outs: TrackedOut[] } | { kind: "stage"; stage: Stage };

/**
 * Commits what `targets` select together (every `.dvc` file and stage without targets), as one call of dvc's
 * `repo.commit`; `dvc commit a b` is one such call per target, which the CLI makes.
 */
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
          { kind: "tracked", outs: tracked },
          ...(pipeline?.stages ?? []).map((stage): StatusSelection => ({ kind: "stage", stage })),
        ]
      : resolveStatusTargets(
          { root: repo.root, cwd, pipeline, tracked },
          targets,
          options.withDeps === true,
          options.recursive === true,
        );
  const items = commitItems(selections);
  const locks = await readStageLocks(items.flatMap((item) => (item.kind === "stage" ? [item.stage] : [])));
  const order = { planIndex: new Map<string, number>(), addedToLock: new Set<string>() };
  const committed: string[] = [];
  const write = async (item: CommitItem): Promise<void> => {
    if (item.kind === "tracked") {
      // Into the same `.dvc` file, whatever its name (`add` would write `<out>.dvc`).
      await saveTrackedOuts(repo, item.outs, {
        cwd,
        ...(options.noRelink === true ? { noRelink: true } : {}),
      });
    } else {
      const recorded = await recordStage(repo, item.stage, true, order);
      for (const path of recorded.gitignored) await ensureGitignored(repo, path);
    }
    committed.push(itemName(item, cwd));
  };
  try {
    for (const group of byFile(items)) {
      if (options.force === true) {
        for (const item of group) refuseMissing(item, cwd);
        for (const item of group) await write(item);
      } else {
        for (const item of group) {
          await refuseChanged(repo, item, cwd, locks);
          await write(item);
        }
      }
    }
  } finally {
    repo.state.flush();
  }
  return { committed };
}

/** The selected `.dvc` files and stages, each once, in the order selected. */
function commitItems(selections: readonly StatusSelection[]): CommitItem[] {
  const items: CommitItem[] = [];
  const seenStages = new Set<Stage>();
  const seenOuts = new Set<TrackedOut>();
  for (const selection of selections) {
    if (selection.kind === "stage") {
      if (seenStages.has(selection.stage)) continue;
      seenStages.add(selection.stage);
      items.push({ kind: "stage", stage: selection.stage });
      continue;
    }
    for (const out of selection.outs) {
      if (seenOuts.has(out)) continue;
      seenOuts.add(out);
      const item = items.find((i) => i.kind === "tracked" && i.dvcFile === out.dvcFile);
      if (item?.kind === "tracked") item.outs.push(out);
      else items.push({ kind: "tracked", dvcFile: out.dvcFile, outs: [out] });
    }
  }
  return items;
}

/** Runs of items from the same file, as dvc's `groupby` on each stage's dvcfile makes them. */
function byFile(items: readonly CommitItem[]): CommitItem[][] {
  const fileOf = (item: CommitItem): string =>
    item.kind === "tracked" ? item.dvcFile : item.stage.pipelineFile;
  const groups: CommitItem[][] = [];
  for (const item of items) {
    const last = groups.at(-1);
    if (last?.[0] !== undefined && fileOf(last[0]) === fileOf(item)) last.push(item);
    else groups.push([item]);
  }
  return groups;
}

/** dvc's `prompt_to_commit` without a terminal: any change in what was recorded is an error naming it. */
async function refuseChanged(
  repo: DataRepo,
  item: CommitItem,
  cwd: string,
  locks: ReadonlyMap<string, LockEntry>,
): Promise<void> {
  if (item.kind === "tracked") {
    for (const out of item.outs) {
      const hashed = await hashIfExists(repo, out.abs);
      if (hashed === undefined || hashed.md5 !== out.out.md5) throw unableToCommit(item, cwd);
    }
    return;
  }
  const { stage } = item;
  const lock = locks.get(stage.name);
  for (const change of await stageChanges(repo, stage, lock)) {
    // Missing from the cache is what commit is for, but dvc judges such an out by the workspace alone
    // (`Output.workspace_status`), so one edited since it was recorded is still a change.
    if (change.kind !== "outs" || change.status !== "not in cache") throw unableToCommit(item, cwd);
    const recorded = lock?.outs.find((out) => out.path === change.path);
    const current = await summarizeIfExists(repo, join(stage.wdir, change.path));
    if (current === undefined || current.md5 !== recorded?.md5) throw unableToCommit(item, cwd);
  }
}

function unableToCommit(item: CommitItem, cwd: string): FlowOpsError {
  // dvc names a `.dvc` file as a stage too: `str(stage)` is `stage: '<addressing>'` for both.
  return new FlowOpsError(
    "ABORTED",
    `unable to commit changed stage: '${itemName(item, cwd)}'. Use \`-f|--force\` to force.`,
  );
}

/**
 * dvc's `stage.save()` on a forced commit: deps, then params files, then outs; the first missing one is
 * dvc's DependencyDoesNotExistError or OutputDoesNotExistError, the path relative to the cwd.
 */
function refuseMissing(item: CommitItem, cwd: string): void {
  const missing = (what: string, abs: string): FlowOpsError =>
    new FlowOpsError("RESOURCE_DOES_NOT_EXIST", `${what} '${relativeName(cwd, abs)}' does not exist`);
  if (item.kind === "tracked") {
    for (const out of item.outs) if (!existsSync(out.abs)) throw missing("output", out.abs);
    return;
  }
  const { stage } = item;
  const deps = [...stage.deps, ...stage.params.map((param) => param.file)];
  for (const path of deps)
    if (!existsSync(join(stage.wdir, path))) throw missing("dependency", join(stage.wdir, path));
  for (const out of stageOuts(stage)) {
    if (!existsSync(join(stage.wdir, out.path))) throw missing("output", join(stage.wdir, out.path));
  }
}

function itemName(item: CommitItem, cwd: string): string {
  return item.kind === "tracked" ? relativeName(cwd, item.dvcFile) : cwdStageAddress(item.stage, cwd);
}

function relativeName(cwd: string, abs: string): string {
  return relative(cwd, abs).split(sep).join("/");
}
