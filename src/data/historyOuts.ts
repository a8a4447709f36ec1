/**
 * The outs that `.dvc` files and dvc.lock name in git history (DVC's brancher: branch tips, tags, or every
 * commit), for gc's scope and push/fetch/pull's `-a/-T/-A`. Git is read with one `rev-list`, one `ls-tree`
 * per commit and one `cat-file --batch` for all the distinct files, since most are the same in most commits.
 */
import { spawn } from "node:child_process";
import { posix } from "node:path";
import { FlowOpsError, toFlowOpsError } from "../errors.js";
import { parseDvcFile } from "./dvcFile.js";
import type { Oid } from "./hashInfo.js";
import {
  dvcFileOuts,
  expandOuts,
  selectOuts,
  type TrackedOut,
  type UsedObject,
  type UsedRepo,
} from "./usedObjects.js";
import { lockEntries } from "./lockOuts.js";
import { uncachedOuts } from "./historyPipelineOuts.js";
import {
  commitDateStamp,
  gitOutput,
  scopeCommits,
  scopeRevisions,
  type HistoryScope,
} from "./historyRevisions.js";
import { revisionUnmatchedTarget } from "./revisionUnmatchedTarget.js";
import { parseDvcFileYaml } from "./dvcFileErrors.js";
import { parseYamlText } from "./yamlFile.js";

export type { HistoryScope };
export { commitDateStamp, scopeCommits };

export function hasHistoryScope(scope: HistoryScope | undefined): scope is HistoryScope {
  return (
    scope !== undefined &&
    (scope.allBranches === true ||
      scope.allTags === true ||
      scope.allCommits === true ||
      scope.rev !== undefined ||
      scope.commitDate !== undefined ||
      scope.allExperiments === true)
  );
}

/**
 * Objects referenced by `.dvc` files and `dvc.lock` in the chosen git revisions. A file that does not parse
 * is an error naming the commit and path: gc must never delete what an unreadable file might reference.
 */
export async function historyUsedObjects(repo: UsedRepo, scope: HistoryScope): Promise<Map<Oid, UsedObject>> {
  return expandOuts(repo, await historyTrackedOuts(repo, scope));
}

/**
 * The cached outs those revisions' `.dvc` files and dvc.lock name, unexpanded: what reads Git, so a caller that
 * expands twice (fetch, before and after fetching manifests) reads history once.
 */
export async function historyTrackedOuts(repo: UsedRepo, scope: HistoryScope): Promise<TrackedOut[]> {
  return (await collectHistoryOuts(repo, scope)).outs;
}

/**
 * historyTrackedOuts with dvc's rule for push, fetch and pull (`_collect_indexes`): a revision whose files do
 * not parse is skipped and listed, not an error; `collected` counts the revisions that were read.
 */
export async function historyTrackedOutsSkipping(
  repo: UsedRepo,
  scope: HistoryScope,
): Promise<Pick<SelectedHistoryOuts, "outs" | "skipped" | "collected">> {
  return collectHistoryOuts(repo, { ...scope, skipFailed: true });
}

async function collectHistoryOuts(
  repo: UsedRepo,
  scope: HistoryScope,
): Promise<Pick<SelectedHistoryOuts, "outs" | "skipped" | "collected">> {
  const history = await readHistory(repo, scope);
  const seen = new Set<string>();
  const outs: TrackedOut[] = [];
  const skipped: SelectedHistoryOuts["skipped"] = [];
  for (const [commit, files] of history.commits) {
    const fresh = files.filter((file) => !seen.has(file.blob));
    let found: TrackedOut[];
    try {
      found = fresh.flatMap((file) => labelled(commit, history.outsOf(file)));
    } catch (error) {
      if (scope.skipFailed !== true) throw error;
      const failure = toFlowOpsError(error);
      const revision = history.names.get(commit) ?? commit;
      scope.onSkipped?.(revision, failure.message);
      skipped.push({ revision, message: failure.message, error: failure });
      continue;
    }
    for (const file of fresh) seen.add(file.blob);
    outs.push(...found);
  }
  return { outs, skipped, collected: history.commits.size - skipped.length };
}

/** What the targets select at each revision, and the revisions where some target names nothing. */
export interface SelectedHistoryOuts {
  outs: TrackedOut[];
  /**
   * Commits skipped as DVC skips them ("failed to collect"), in scope order, by dvc's name for each
   * (historyRevisions.ts), with the reason.
   */
  skipped: { revision: string; message: string; error: FlowOpsError }[];
  /** How many commits the targets could be collected in. */
  collected: number;
}

/**
 * As DVC's `push/fetch -a <targets>`: the targets are resolved in each revision's own files (a `.dvc` file, a
 * stage, a tracked path, or a path inside a tracked directory). A revision in which a target names nothing is
 * skipped with a warning, not failed: the target may be newer than that commit.
 */
export async function historySelectedOuts(
  repo: UsedRepo,
  scope: HistoryScope,
  targets: readonly string[],
  /** Where relative targets and bare stage names are resolved from. */
  cwd: string = process.cwd(),
): Promise<SelectedHistoryOuts> {
  const history = await readHistory(repo, scope);
  const selected = new Map<string, TrackedOut>();
  const skipped: SelectedHistoryOuts["skipped"] = [];
  let collected = 0;
  for (const [commit, files] of history.commits) {
    let outs: TrackedOut[];
    const available = files.flatMap(history.outsOf);
    const select = (wanted: readonly string[]): TrackedOut[] =>
      selectOuts(repo, available, wanted, { workspaceOuts: false, cwd });
    try {
      outs = select(targets);
    } catch (error) {
      const failure = toFlowOpsError(error);
      if (failure.code !== "RESOURCE_DOES_NOT_EXIST") throw failure;
      // The first target that names nothing, worded from this commit's files as dvc words it there.
      const unmatched = targets.find((target) => !selectsIn(select, target));
      const paths = history.paths.get(commit) ?? new Set<string>();
      const why =
        unmatched === undefined
          ? failure
          : revisionUnmatchedTarget(repo.root, cwd, unmatched, (path) => paths.has(path));
      skipped.push({ revision: history.names.get(commit) ?? commit, message: why.message, error: why });
      continue;
    }
    collected += 1;
    // The same out in many commits is expanded once: its manifest is read once, not once per commit.
    for (const out of labelled(commit, outs)) {
      const key = `${out.md5}\0${out.within?.join("\0") ?? "*"}`;
      if (!selected.has(key)) selected.set(key, out);
    }
  }
  return { outs: [...selected.values()], skipped, collected };
}

function selectsIn(select: (targets: readonly string[]) => TrackedOut[], target: string): boolean {
  try {
    select([target]);
    return true;
  } catch {
    return false;
  }
}

function labelled(commit: string, outs: readonly TrackedOut[]): TrackedOut[] {
  return outs.map((out) => ({ ...out, dvcFile: `${commit.slice(0, 7)}:${out.dvcFile}` }));
}

interface HistoryFile {
  blob: string;
  path: string;
  /** For a dvc.lock: the blob of the dvc.yaml beside it, which says which outs are `cache: false`. */
  pipelineBlob?: string;
}

interface History {
  /** Each commit in scope with its `.dvc` and dvc.lock files. */
  commits: Map<string, HistoryFile[]>;
  /** dvc's name for each commit: the branches and tags that reached it, or its hash. */
  names: Map<string, string>;
  /** Each commit's `.dvc`, dvc.yaml and dvc.lock paths: what says why a target names nothing there. */
  paths: Map<string, Set<string>>;
  /** A file's outs, `dvcFile` being its path in the commit; parsed once per blob and path. */
  outsOf: (file: HistoryFile) => TrackedOut[];
}

async function readHistory(repo: UsedRepo, scope: HistoryScope): Promise<History> {
  const commits = new Map<string, HistoryFile[]>();
  const names = await scopeRevisions(repo.root, scope);
  const paths = new Map<string, Set<string>>();
  if (names.size === 0) return { commits, names, paths, outsOf: () => [] };
  const firstSeen = new Map<string, string>();
  for (const commit of names.keys()) {
    const files: HistoryFile[] = [];
    const pipelineDirs = new Map<string, string>();
    for (const line of (await gitOutput(repo.root, ["ls-tree", "-r", "-z", commit])).split("\0")) {
      const match = /^\d+ blob ([0-9a-f]+)\t(.+)$/s.exec(line);
      if (match === null) continue;
      const [, blob, path] = match as unknown as [string, string, string];
      const name = posix.basename(path);
      if (name === "dvc.yaml") pipelineDirs.set(posix.dirname(path), blob);
      if (name === "dvc.yaml") paths.set(commit, (paths.get(commit) ?? new Set()).add(path));
      if (!name.endsWith(".dvc") && name !== "dvc.lock") continue;
      paths.set(commit, (paths.get(commit) ?? new Set()).add(path));
      files.push({ blob, path });
    }
    // dvc reads a dvc.lock only through the dvc.yaml beside it: a commit's lock without one tracks nothing.
    const tracked = files
      .filter(
        (file) => posix.basename(file.path) !== "dvc.lock" || pipelineDirs.has(posix.dirname(file.path)),
      )
      .map((file) => {
        const pipelineBlob = pipelineDirs.get(posix.dirname(file.path));
        return posix.basename(file.path) === "dvc.lock" && pipelineBlob !== undefined
          ? { ...file, pipelineBlob }
          : file;
      });
    for (const file of tracked) {
      if (!firstSeen.has(file.blob)) firstSeen.set(file.blob, commit);
      if (file.pipelineBlob !== undefined && !firstSeen.has(file.pipelineBlob))
        firstSeen.set(file.pipelineBlob, commit);
    }
    commits.set(commit, tracked);
  }
  const texts = await readBlobs(repo.root, [...firstSeen.keys()]);
  const parsed = new Map<string, TrackedOut[]>();
  const outsOf = (file: HistoryFile): TrackedOut[] => {
    const key = `${file.blob}\0${file.path}\0${file.pipelineBlob ?? ""}`;
    let outs = parsed.get(key);
    if (outs === undefined) {
      const label = `${(firstSeen.get(file.blob) ?? "").slice(0, 7)}:${file.path}`;
      const text = texts.get(file.blob) ?? "";
      const uncached =
        file.pipelineBlob === undefined
          ? new Set<string>()
          : uncachedOuts(texts.get(file.pipelineBlob) ?? "", posix.dirname(file.path));
      outs = fileOuts(
        file.path,
        parseDvcFileYaml(() => parseYamlText(label, text)),
      ).filter((out) => !uncached.has(`${out.stage ?? ""}\0${out.path}`));
      parsed.set(key, outs);
    }
    return outs;
  };
  return { commits, names, paths, outsOf };
}

/** One file's outs, named as the workspace's are: lock outs carry their stage (`train`, `sub/dvc.yaml:train`). */
function fileOuts(path: string, parsed: ReturnType<typeof parseYamlText>): TrackedOut[] {
  if (posix.basename(path) !== "dvc.lock") return dvcFileOuts(parseDvcFile(parsed), path);
  const dir = posix.dirname(path);
  return lockEntries(parsed.value).map((entry) => ({
    dvcFile: path,
    stage: dir === "." ? entry.stage : `${dir}/dvc.yaml:${entry.stage}`,
    path: posix.join(dir, entry.path),
    md5: entry.md5,
  }));
}

/** Contents of the given blobs, read through one `git cat-file --batch` process. */
function readBlobs(cwd: string, blobs: readonly string[]): Promise<Map<string, string>> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn("git", ["cat-file", "--batch"], { cwd, stdio: ["pipe", "pipe", "pipe"] });
    const chunks: Buffer[] = [];
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) {
        reject(new FlowOpsError("INVALID_STATE", `git cat-file failed in ${cwd}: ${stderr.trim()}`));
        return;
      }
      const output = Buffer.concat(chunks);
      const contents = new Map<string, string>();
      let offset = 0;
      while (offset < output.length) {
        const headerEnd = output.indexOf(0x0a, offset);
        const [blob, , size] = output.subarray(offset, headerEnd).toString("utf8").split(" ");
        const length = Number(size);
        contents.set(blob ?? "", output.subarray(headerEnd + 1, headerEnd + 1 + length).toString("utf8"));
        offset = headerEnd + 1 + length + 1;
      }
      resolvePromise(contents);
    });
    child.stdin.end(blobs.map((blob) => `${blob}\n`).join(""));
  });
}
