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
import { hasHistoryScope, scopeCommits, type HistoryScope } from "./historyOuts.js";
import { lockEntries } from "./lockOuts.js";
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
  const found = await workspaceUnversioned(repo, options.push === true).catch((): UnversionedOut[] => []);
  if (!hasHistoryScope(options.history)) return found;
  for (const commit of await scopeCommits(repo.root, options.history)) {
    found.push(...(await commitUnversioned(repo.root, commit, options.push === true)));
  }
  return found;
}

async function workspaceUnversioned(repo: WalkedRepo, push: boolean): Promise<UnversionedOut[]> {
  const pipeline = await readPipelinesIfAny(repo);
  if (pipeline === undefined) return [];
  const found: UnversionedOut[] = [];
  const locked = new Map<string, Set<string>>();
  for (const file of pipeline.files) {
    const lockPath = join(file, "..", "dvc.lock");
    // dvc loads every lock before it collects, so a damaged or empty one stops it before any warning.
    const lockFile = existsSync(lockPath) ? await readYamlFile(lockPath) : undefined;
    if (lockFile !== undefined) parseLock(lockPath, lockFile.text ?? "");
    const lock = lockFile?.value;
    locked.set(file, lockedKeys(lock, pipeline.stages, file));
  }
  for (const file of topDown(pipeline.files, (path) => relative(repo.root, join(path, "..")))) {
    for (const stage of pipeline.stages.filter((candidate) => candidate.pipelineFile === file)) {
      for (const out of declaredCachedOuts(stage, push)) {
        const abs = resolve(stage.wdir, out);
        if (locked.get(file)?.has(`${stage.lockName}\0${abs}`) === true) continue;
        found.push({
          revision: "workspace",
          path: posixOf(relative(repo.root, abs)),
          pipelineDir: posixOf(relative(repo.root, join(file, ".."))),
          stage: stage.lockName,
          exists: existsSync(abs),
        });
      }
    }
  }
  return found;
}

async function commitUnversioned(root: string, commit: string, push: boolean): Promise<UnversionedOut[]> {
  const tree = (await git(root, ["ls-tree", "-r", "-z", "--name-only", commit])).split("\0").filter(Boolean);
  const inTree = new Set(tree);
  const exists = (path: string): boolean =>
    inTree.has(path) || tree.some((file) => file.startsWith(`${path}/`));
  const pipelineDirs = tree
    .filter((path) => posix.basename(path) === PIPELINE_FILE)
    .map((path) => (posix.dirname(path) === "." ? "" : posix.dirname(path)));
  const found: UnversionedOut[] = [];
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
      for (const out of declaredCachedOuts(stage, push)) {
        const outAbs = resolve(stage.wdir, out);
        if (locked.has(`${stage.lockName}\0${outAbs}`)) continue;
        const path = posixOf(relative(root, outAbs));
        found.push({ revision: commit, path, pipelineDir: dir, stage: stage.lockName, exists: exists(path) });
      }
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

/** As dvc loads a stage: outs, then metrics, then plots; `cache: false` ones are never collected. */
function declaredCachedOuts(stage: Stage, push: boolean): string[] {
  return [...stage.outs, ...stage.metrics, ...stage.plots]
    .filter((out) => out.cache && !(push && out.push === false))
    .map((out) => out.path);
}

/** dvc walks top-down: a directory's own dvc.yaml before those of its subdirectories. */
function topDown<T>(items: readonly T[], dirOf: (item: T) => string): T[] {
  const parts = (item: T): string[] => posixOf(dirOf(item)).split("/").filter(Boolean);
  return [...items].sort((a, b) => {
    const [left, right] = [parts(a), parts(b)];
    for (let index = 0; index < Math.min(left.length, right.length); index += 1) {
      if (left[index] !== right[index]) return left[index]! < right[index]! ? -1 : 1;
    }
    return left.length - right.length;
  });
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
