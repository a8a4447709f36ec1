/**
 * Every `dvc.yaml` of a repository, collected as DVC's `collect_files` (dvc/repo/index.py) does: one walk of
 * the workspace that skips `.git/`, `.dvc/`, .dvcignored and gitignored directories and the outputs of the `.dvc` files and
 * pipeline stages it has met, so tracked data directories are never entered. Each file is read and parsed
 * once, during the walk; the stages of all files make one pipeline, addressed as DVC prints them
 * (`train`, `prep/dvc.yaml:clean`). Like dvc's index, it refuses a dvc.lock that Git ignores
 * (gitIgnoredPipelineFiles.ts). It checks nothing across files: pipelineDag.ts does.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import {
  dvcFileWdir,
  readDvcFile,
  walkWorkspaceFiles,
  type TrackedOut,
  type WalkedRepo,
} from "../data/dvcFile.js";
import { DVCIGNORE_FILE, loadDvcIgnore } from "../data/dvcIgnore.js";
import { FlowOpsError } from "../errors.js";
import { applyFlowopsConfig, parsePipeline, PIPELINE_FILE, type Pipeline } from "./dvcYaml.js";
import type { GitIgnoreMatcher } from "./gitIgnoreMatcher.js";
import {
  fileIsGitIgnored,
  gitAwareWalk,
  gitIgnoreOf,
  lockBesideIsGitIgnored,
} from "./gitIgnoredPipelineFiles.js";
import { stageOuts } from "./stageStatus.js";
import { readUtf8File } from "../data/utf8Text.js";

const DVC_FILE_SUFFIX = ".dvc";

const isCollected = (name: string): boolean => name === PIPELINE_FILE || name.endsWith(DVC_FILE_SUFFIX);

interface Collected {
  /** The parsed dvc.yaml files, by absolute path. */
  parsed: Map<string, Pipeline>;
  trackedOuts: TrackedOut[];
  /** The dvc.lock beside a collected dvc.yaml that Git ignores (absolute), whether it exists or not. */
  gitIgnoredLocks: string[];
}

/**
 * Walks the workspace once, parsing each dvc.yaml and `.dvc` file as it is met; answers the parsed dvc.yaml
 * files by path, and the `.dvc` files' outs in path order. The one Git matcher (the command's, gitIgnoreOf)
 * both skips gitignored files and directories and judges each dvc.yaml's dvc.lock.
 */
async function collectPipelines(repo: WalkedRepo, git: GitIgnoreMatcher | undefined): Promise<Collected> {
  const parsed = new Map<string, Pipeline>();
  const tracked = new Map<string, TrackedOut[]>();
  const gitIgnoredLocks: string[] = [];
  await walkWorkspaceFiles(gitAwareWalk(repo, git), isCollected, async (abs) => {
    if (abs.endsWith(DVC_FILE_SUFFIX)) {
      const doc = await readDvcFile(abs, repo.root);
      const wdir = dvcFileWdir(abs, doc);
      const outs = doc.outs.map((out, index) => ({
        dvcFile: abs,
        doc,
        out,
        index,
        abs: resolve(wdir, out.path),
      }));
      tracked.set(abs, outs);
      return outs.map((out) => out.abs);
    }
    const dir = resolve(abs, "..");
    const pipeline = await parsePipeline(dir, abs, await readUtf8File(abs), repo.root);
    const ignoredLock = lockBesideIsGitIgnored(git, abs);
    if (ignoredLock !== undefined) gitIgnoredLocks.push(ignoredLock);
    parsed.set(abs, pipeline);
    return pipeline.stages.flatMap((stage) => stageOuts(stage).map((out) => join(stage.wdir, out.path)));
  });
  const trackedOuts = [...tracked.keys()].sort().flatMap((file) => tracked.get(file)!);
  return { parsed, trackedOuts, gitIgnoredLocks };
}

/** Absolute paths of every `dvc.yaml` in the repo, sorted. */
export async function findPipelineFiles(repo: WalkedRepo): Promise<string[]> {
  return [...(await collectPipelines(repo, gitIgnoreOf(repo))).parsed.keys()].sort();
}

/**
 * Reads every `dvc.yaml` of the repo into one pipeline (files in sorted order, each file's stages in its
 * order), with `flowops.yaml` settings merged in. No dvc.yaml at all is RESOURCE_DOES_NOT_EXIST.
 */
export async function readPipelines(repo: WalkedRepo): Promise<Pipeline> {
  const pipeline = await readPipelinesIfAny(repo);
  if (pipeline === undefined) {
    // A dvc.yaml that .dvcignore hides is not "not found": say why it was passed over, as dvc does.
    if (repo.ignore?.ignores(PIPELINE_FILE, false) === true && existsSync(join(repo.root, PIPELINE_FILE))) {
      throw new FlowOpsError(
        "RESOURCE_DOES_NOT_EXIST",
        `${join(repo.root, PIPELINE_FILE)} is dvc-ignored (a pattern in ${join(repo.root, DVCIGNORE_FILE)} matches it), so no pipeline is defined`,
      );
    }
    throw new FlowOpsError(
      "RESOURCE_DOES_NOT_EXIST",
      `${join(repo.root, PIPELINE_FILE)}: file not found, and no dvc.yaml below ${repo.root} (no pipeline defined)`,
    );
  }
  return pipeline;
}

/** Like readPipelines, but no pipeline file at all is `undefined` (for views that also work without one). */
export async function readPipelinesIfAny(repo: WalkedRepo): Promise<Pipeline | undefined> {
  return readPipelinesOf(repo, false);
}

/**
 * Like readPipelines, but with no dvc.yaml at all the pipeline has no stages and still holds the workspace's
 * `.dvc` files: dvc reproduces a `.dvc` target (an import) in a repository without any dvc.yaml.
 */
export async function readPipelinesOrTrackedFiles(repo: WalkedRepo): Promise<Pipeline> {
  return (await readPipelinesOf(repo, true))!;
}

async function readPipelinesOf(repo: WalkedRepo, emptyWhenNone: boolean): Promise<Pipeline | undefined> {
  const { parsed, trackedOuts, gitIgnoredLocks } = await collectPipelines(repo, gitIgnoreOf(repo));
  // As dvc's Lockfile._load while it builds the index: the first such lock the walk met stops the command.
  const [ignoredLock] = gitIgnoredLocks;
  if (ignoredLock !== undefined) throw fileIsGitIgnored(ignoredLock);
  const files = [...parsed.keys()].sort();
  if (files.length === 0 && !emptyWhenNone) return undefined;
  const parts = files.map((file) => parsed.get(file)!);
  const pipeline: Pipeline = {
    file: join(repo.root, PIPELINE_FILE),
    root: repo.root,
    files,
    stages: parts.flatMap((part) => part.stages),
    params: parts.flatMap((part) => part.params),
    metrics: parts.flatMap((part) => part.metrics),
    plots: parts.flatMap((part) => part.plots),
    plotsByFile: parts
      .filter((part) => part.plots.length > 0)
      .map((part) => ({ file: part.file, plots: part.plots })),
    artifacts: Object.assign({}, ...parts.map((part) => part.artifacts)) as Record<string, unknown>,
    trackedOuts,
  };
  await applyFlowopsConfig(pipeline);
  return pipeline;
}

/**
 * Every dvc.yaml below `root` (with its .dvcignore applied), for read-only views that open no data repo;
 * `undefined` when there is none.
 */
export async function readWorkspacePipelines(root: string): Promise<Pipeline | undefined> {
  return readPipelinesIfAny({ root, ignore: await loadDvcIgnore(root) });
}
