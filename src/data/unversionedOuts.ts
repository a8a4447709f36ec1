/**
 * The cached outs a dvc.yaml declares that its dvc.lock records no hash for (no dvc.lock at all included), in
 * the workspace and in each git revision of a scope: dvc's `Output.get_used_objs` warns about each as it
 * collects what gc keeps and what `status -c` compares ("is missing version info"). Push, fetch and checkout
 * collect elsewhere and do not warn, so this is read only by those two commands.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { isAbsolute, join, posix, relative, resolve, sep } from "node:path";
import { promisify } from "node:util";
import { parseLock } from "../pipelines/dvcLock.js";
import { parsePipeline, PIPELINE_FILE, type Stage } from "../pipelines/dvcYaml.js";
import { readPipelinesIfAny } from "../pipelines/pipelineFiles.js";
import type { WalkedRepo } from "./dvcFile.js";
import { loadDvcIgnore } from "./dvcIgnore.js";
import { hasHistoryScope, scopeCommits, type HistoryScope } from "./historyOuts.js";
import { lockEntries } from "./lockOuts.js";
import {
  declaredOuts,
  declaredStagesOf,
  outSelected,
  selectDeclared,
  topDown,
  type DeclaredStage,
} from "./pipelineTargets.js";
import { parseYamlText, readYamlFile } from "./yamlFile.js";

export interface UnversionedOut {
  /** `workspace`, or the full sha of the commit it was found in. */
  revision: string;
  /** The out's path from the repo root (POSIX). */
  path: string;
  /** The directory of the declaring dvc.yaml from the repo root (POSIX, `` for the root). */
  pipelineDir: string;
  /** The stage's name inside its dvc.yaml. */
  stage: string;
  /** Whether the out is there (on disk, or in the commit's tree): dvc then also suggests `dvc commit`. */
  exists: boolean;
}

export interface UnversionedOutsOptions {
  history?: HistoryScope;
  /** Collected for a push (`status -c`): outs declared `push: false` are not looked at, as dvc's `can_push`. */
  push?: boolean;
  /**
   * Only the outs these name (stage names, dvc.yaml files, out paths, as pipelineTargets resolves them), per
   * revision in the targets' order, repeated as often as named (as dvc warns once per collected pair).
   */
  targets?: readonly string[];
  /** Relative targets and bare stage names are read from here (the process's cwd by default). */
  cwd?: string;
  /** `-R`: a directory target names the stages of every dvc.yaml under it. */
  recursive?: boolean;
}

/** One revision's stages with the unversioned outs each has, keyed by the out's absolute path. */
interface StageFindings extends DeclaredStage {
  found: { abs: string; out: UnversionedOut }[];
}

/**
 * The workspace's outs first, then each revision's, repeated per revision as dvc repeats its warning. A
 * revision with a pipeline or lock file that does not load gives none, as dvc's index of it fails to load:
 * the command that collects after this reports it.
 */
export async function unversionedOuts(
  repo: WalkedRepo,
  options: UnversionedOutsOptions = {},
): Promise<UnversionedOut[]> {
  const push = options.push === true;
  const stages = await workspaceUnversioned(repo, push).catch((): StageFindings[] => []);
  const found = selected(stages, repo.root, options);
  if (!hasHistoryScope(options.history)) return found;
  for (const commit of await scopeCommits(repo.root, options.history)) {
    found.push(...selected(await commitUnversioned(repo.root, commit, push), repo.root, options));
  }
  return found;
}

function selected(
  stages: readonly StageFindings[],
  root: string,
  options: UnversionedOutsOptions,
): UnversionedOut[] {
  const targets = options.targets ?? [];
  if (targets.length === 0) return stages.flatMap((stage) => stage.found.map((finding) => finding.out));
  const cwd = options.cwd ?? process.cwd();
  return targets.flatMap((target) =>
    selectDeclared(stages, root, cwd, target, options.recursive).flatMap(({ stage, within }) =>
      stage.found.filter((finding) => outSelected(finding.abs, within)).map((finding) => finding.out),
    ),
  );
}

/**
 * gc's list: as dvc's gc collects, each other project (`-p`) first, in the order given, then this one. Each
 * comes with its root, from which (or from the cwd inside it) its outs are named.
 */
export async function gcUnversionedOuts(
  repo: WalkedRepo,
  history: HistoryScope,
  projects: readonly string[] = [],
): Promise<{ root: string; outs: UnversionedOut[] }[]> {
  const found: { root: string; outs: UnversionedOut[] }[] = [];
  for (const project of projects) {
    const root = resolve(project);
    found.push({
      root,
      outs: await unversionedOuts({ root, ignore: await loadDvcIgnore(root) }, { history }),
    });
  }
  found.push({ root: repo.root, outs: await unversionedOuts(repo, { history }) });
  return found;
}

async function workspaceUnversioned(repo: WalkedRepo, push: boolean): Promise<StageFindings[]> {
  const pipeline = await readPipelinesIfAny(repo);
  if (pipeline === undefined) return [];
  const locked = new Map<string, Set<string>>();
  for (const file of pipeline.files) {
    const lockPath = join(file, "..", "dvc.lock");
    // dvc loads every lock before it collects, so a damaged or empty one stops it before any warning.
    const lockFile = existsSync(lockPath) ? await readYamlFile(lockPath) : undefined;
    if (lockFile !== undefined) parseLock(lockPath, lockFile.text ?? "");
    const lock = lockFile?.value;
    locked.set(file, lockedKeys(lock, pipeline.stages, file));
  }
  return declaredStagesOf(pipeline, repo.root).map(({ stage, ...declared }) => {
    const file = stage.pipelineFile;
    const found = declaredOuts(stage, cachedFilter(push))
      .filter((abs) => locked.get(file)?.has(`${stage.lockName}\0${abs}`) !== true)
      .map((abs) => ({
        abs,
        out: {
          revision: "workspace",
          path: posixOf(relative(repo.root, abs)),
          pipelineDir: posixOf(relative(repo.root, join(file, ".."))),
          stage: stage.lockName,
          exists: existsSync(abs),
        },
      }));
    return { ...declared, found };
  });
}

async function commitUnversioned(root: string, commit: string, push: boolean): Promise<StageFindings[]> {
  const tree = (await git(root, ["ls-tree", "-r", "-z", "--name-only", commit])).split("\0").filter(Boolean);
  const inTree = new Set(tree);
  const exists = (path: string): boolean =>
    inTree.has(path) || tree.some((file) => file.startsWith(`${path}/`));
  const pipelineDirs = tree
    .filter((path) => posix.basename(path) === PIPELINE_FILE)
    .map((path) => (posix.dirname(path) === "." ? "" : posix.dirname(path)));
  const found: StageFindings[] = [];
  for (const dir of topDown(pipelineDirs, (path) => path)) {
    const at = (name: string): string => (dir === "" ? name : `${dir}/${name}`);
    const abs = join(root, ...at(PIPELINE_FILE).split("/"));
    let stages: Stage[];
    let lock: unknown;
    try {
      const text = await git(root, ["show", `${commit}:${at(PIPELINE_FILE)}`]);
      stages = (await parsePipeline(join(abs, ".."), abs, text, root)).stages;
      if (inTree.has(at("dvc.lock"))) {
        const text = await git(root, ["show", `${commit}:${at("dvc.lock")}`]);
        parseLock(at("dvc.lock"), text);
        lock = parseYamlText(at("dvc.lock"), text).value;
      }
    } catch {
      // dvc's index of that revision does not load: it warns about none of its outs.
      return [];
    }
    const locked = lockedKeys(lock, stages, abs);
    for (const stage of stages) {
      const unversioned = declaredOuts(stage, cachedFilter(push)).filter(
        (outAbs) => !locked.has(`${stage.lockName}\0${outAbs}`),
      );
      found.push({
        pipelineFile: abs,
        lockName: stage.lockName,
        outs: declaredOuts(stage),
        found: unversioned.map((outAbs) => {
          const path = posixOf(relative(root, outAbs));
          const out = {
            revision: commit,
            path,
            pipelineDir: dir,
            stage: stage.lockName,
            exists: exists(path),
          };
          return { abs: outAbs, out };
        }),
      });
    }
  }
  return found;
}

/** `stage\0absolute out path` for every out the lock records a hash for, resolved in its stage's wdir. */
function lockedKeys(lock: unknown, stages: readonly Stage[], pipelineFile: string): Set<string> {
  const wdirs = new Map(
    stages
      .filter((stage) => stage.pipelineFile === pipelineFile)
      .map((stage) => [stage.lockName, stage.wdir]),
  );
  return new Set(
    lockEntries(lock).map((entry) => {
      const wdir = wdirs.get(entry.stage) ?? join(pipelineFile, "..");
      return `${entry.stage}\0${resolve(wdir, entry.path)}`;
    }),
  );
}

/** `cache: false` outs are never collected; for a push, neither are `push: false` ones. */
function cachedFilter(push: boolean): (out: Stage["outs"][number]) => boolean {
  return (out) => out.cache && !(push && out.push === false);
}

/**
 * dvc's warning for one out, named from `cwd` as dvc names them: the out relative to the cwd (the root when the
 * cwd is outside the repo); the stage by its dvc.yaml relative to the cwd, bare when that is `dvc.yaml`. At a
 * commit dvc's Git filesystem puts that dvc.yaml at `/`, so the relative path climbs out of the real cwd.
 */
export function missingVersionInfoWarning(out: UnversionedOut, root: string, cwd: string): string {
  const fromRoot = relative(root, cwd);
  const base = fromRoot.startsWith("..") || isAbsolute(fromRoot) ? root : cwd;
  const name = posixOf(relative(base, join(root, ...out.path.split("/"))));
  const pipelineFile = posix.join(out.pipelineDir, PIPELINE_FILE);
  const file = posixOf(
    out.revision === "workspace"
      ? relative(cwd, join(root, ...pipelineFile.split("/")))
      : relative(cwd, `/${pipelineFile}`),
  );
  const stage = file === PIPELINE_FILE ? out.stage : `${file}:${out.stage}`;
  const warning =
    `WARNING: Output '${name}'(stage: '${stage}') is missing version info. Cache for it will not be collected. ` +
    "Use `dvc repro` to get your pipeline up to date.";
  if (!out.exists) return warning;
  return `${warning}\nYou can also use \`dvc commit ${stage}\` to associate existing '${name}' with stage: '${stage}'.`;
}

function posixOf(path: string): string {
  return path.split(sep).join("/");
}

async function git(cwd: string, args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)("git", args, { cwd, maxBuffer: 1 << 30, encoding: "utf8" });
  return stdout;
}
