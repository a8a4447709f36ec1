/**
 * `dvc remove`: stop tracking what `.dvc` files and dvc.yaml stages name. Each output's `.gitignore` entry
 * goes; outputs stay in the workspace (unprotected: hard links and symlinks into the cache become copies)
 * unless `outs` is set, when they are deleted, `persist` ones included. A `.dvc` file is deleted; a stage
 * leaves its dvc.yaml and dvc.lock. The cache is not touched (`data gc` clears it). Targets are done in
 * order and the first error stops the rest, as in dvc; a foreach or matrix stage is refused before anything
 * of it changes (dvc removes its `.gitignore` entries first).
 */
import { rm } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { FlowOpsError } from "../errors.js";
import { cwdStageAddress, parsePipeline, type Stage } from "../pipelines/dvcYaml.js";
import { checkTargetPipelineFiles } from "../pipelines/gitIgnoredPipelineFiles.js";
import { removePipelineStage } from "../pipelines/pipelineStageRemoval.js";
import { stageOuts } from "../pipelines/stageStatus.js";
import type { DataRepo } from "./dataRepo.js";
import { DVC_FILE_SUFFIX, dvcFileWdir, readDvcFile } from "./dvcFile.js";
import { cwdRelative, notADvcFile, parseDvcTarget, targetFile } from "./dvcTarget.js";
import { removeGitignored } from "./gitignoreEntries.js";
import { unprotectOut } from "./unprotectOut.js";
import { readUtf8File } from "./utf8Text.js";

export interface RemoveOptions {
  cwd: string;
  /** `--outs`: delete the outputs from the workspace too. */
  outs?: boolean;
  /** Where dvc's warnings go (a name given after a `.dvc` file). */
  warn?: (message: string) => void;
}

export interface RemovedTarget {
  /** The `.dvc` file (cwd-relative) or stage address (as dvc prints it from the cwd). */
  removed: string;
  /** Outputs that stopped being tracked, cwd-relative. */
  outs: string[];
  /** Whether they were deleted (`outs`). */
  deleted: boolean;
}

export interface RemoveResult {
  removed: RemovedTarget[];
  /** `.gitignore` files changed or deleted, cwd-relative, for `git add`. */
  gitignores: string[];
}

interface OutToRemove {
  abs: string;
  cache: boolean;
}

export async function removeTargets(
  repo: DataRepo,
  targets: readonly string[],
  options: RemoveOptions,
): Promise<RemoveResult> {
  const result: RemoveResult = { removed: [], gitignores: [] };
  for (const target of targets) {
    for (const unit of await resolveRemoval(repo, target, options)) {
      if (unit.refusal !== undefined) throw new FlowOpsError("INVALID_PARAMETER_VALUE", unit.refusal);
      const removedOuts: string[] = [];
      for (const out of unit.outs) {
        if (options.outs === true) await rm(out.abs, { recursive: true, force: true });
        else if (out.cache) await unprotectOut(out.abs);
        if (out.cache) {
          const gitignore = await removeGitignored(repo, out.abs);
          if (gitignore !== undefined) result.gitignores.push(cwdRelative(options.cwd, gitignore));
        }
        removedOuts.push(cwdRelative(options.cwd, out.abs));
      }
      await unit.purge();
      result.removed.push({ removed: unit.name, outs: removedOuts, deleted: options.outs === true });
    }
  }
  result.gitignores = [...new Set(result.gitignores)];
  return result;
}

interface Removal {
  name: string;
  outs: OutToRemove[];
  /** Why it cannot be removed: dvc cannot rewrite one stage of a foreach or matrix. */
  refusal?: string;
  purge: () => Promise<void>;
}

/**
 * What one target removes. dvc's `remove` turns a missing stage or file into "not a .dvc file" when
 * `<target>.dvc` exists, keeping the first message after a colon.
 */
async function resolveRemoval(repo: DataRepo, target: string, options: RemoveOptions): Promise<Removal[]> {
  const { path, name } = parseDvcTarget(target);
  try {
    const file = targetFile(options.cwd, path);
    if (file.endsWith(DVC_FILE_SUFFIX)) {
      if (name !== undefined) {
        options.warn?.(
          `Ignoring name '${name}' for single stage in 'SingleStageFile: ${cwdRelative(options.cwd, file)}'.`,
        );
      }
      const doc = await readDvcFile(file, repo.root);
      const wdir = dvcFileWdir(file, doc);
      return [
        {
          name: cwdRelative(options.cwd, file),
          outs: doc.outs.map((out) => ({ abs: resolve(wdir, out.path), cache: out.cache !== false })),
          purge: () => rm(file, { force: true }),
        },
      ];
    }
    checkTargetPipelineFiles(repo, options.cwd, [target]);
    const pipeline = await parsePipeline(dirname(file), file, await readUtf8File(file), repo.root);
    const stages =
      name === undefined ? pipeline.stages : pipeline.stages.filter((stage) => stage.lockName === name);
    if (stages.length === 0 && name !== undefined) {
      throw new FlowOpsError(
        "RESOURCE_DOES_NOT_EXIST",
        `Stage '${name}' not found inside '${cwdRelative(options.cwd, file)}' file`,
      );
    }
    return stages.map((stage) => stageRemoval(stage, options.cwd));
  } catch (error) {
    if (!(error instanceof FlowOpsError) || error.code !== "RESOURCE_DOES_NOT_EXIST") throw error;
    const hint = notADvcFile(target, options.cwd);
    if (!hint.message.includes("Do you mean")) throw error;
    throw new FlowOpsError(hint.code, `${hint.message}: ${error.message}`, { cause: error });
  }
}

function stageRemoval(stage: Stage, cwd: string): Removal {
  const address = cwdStageAddress(stage, cwd);
  return {
    name: address,
    outs: stageOuts(stage).map((out) => ({ abs: resolve(stage.wdir, out.path), cache: out.cache })),
    ...(stage.group !== undefined ? { refusal: `cannot remove a parametrized stage: '${address}'` } : {}),
    purge: () => removePipelineStage(stage.pipelineFile, stage.lockName),
  };
}
