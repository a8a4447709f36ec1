/**
 * The outs that `.dvc` files and dvc.lock name in git history (DVC's brancher: branch tips, tags, or every
 * commit), for gc's scope and push/fetch/pull's `-a/-T/-A`. Git is read with one `rev-list`, one `ls-tree`
 * per commit and one `cat-file --batch` for all the distinct files, since most are the same in most commits.
 */
import { execFile, spawn } from "node:child_process";
import { posix } from "node:path";
import { promisify } from "node:util";
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
import { parseDvcFileYaml } from "./dvcFileErrors.js";
import { parseYamlText } from "./yamlFile.js";

/** Which git revisions count besides the workspace (dvc's `iter_revs`). */
export interface HistoryScope {
  allBranches?: boolean;
  allTags?: boolean;
  allCommits?: boolean;
  /** `--rev`: this commit and the `num - 1` before it (first parents). */
  rev?: string;
  /** With `rev` and `allBranches`: how many commits back from each; 1 by default. */
  num?: number;
  /** `--date YYYY-MM-DD`: every commit made on or after that day (local midnight, as dvc's strptime). */
  commitDate?: string;
  /** dvc's experiments: the commits of each `refs/exps/...` ref down to its baseline. */
  allExperiments?: boolean;
  /** A revision whose files do not parse is skipped (with `onSkipped`) instead of failing the whole read. */
  skipFailed?: boolean;
  onSkipped?: (revision: string, reason: string) => void;
}

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
      const message = toFlowOpsError(error).message;
      scope.onSkipped?.(commit, message);
      skipped.push({ revision: commit, message });
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
  /** Commits skipped as DVC skips them ("failed to collect"), with the reason. */
  skipped: { revision: string; message: string }[];
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
    try {
      outs = selectOuts(repo, files.flatMap(history.outsOf), targets, { workspaceOuts: false, cwd });
    } catch (error) {
      const failure = toFlowOpsError(error);
      if (failure.code !== "RESOURCE_DOES_NOT_EXIST") throw failure;
      skipped.push({ revision: commit, message: failure.message });
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
  /** A file's outs, `dvcFile` being its path in the commit; parsed once per blob and path. */
  outsOf: (file: HistoryFile) => TrackedOut[];
}

async function readHistory(repo: UsedRepo, scope: HistoryScope): Promise<History> {
  const commits = new Map<string, HistoryFile[]>();
  const shas = await scopeCommits(repo.root, scope);
  if (shas.length === 0) return { commits, outsOf: () => [] };
  const firstSeen = new Map<string, string>();
  for (const commit of shas) {
    const files: HistoryFile[] = [];
    const pipelineDirs = new Map<string, string>();
    for (const line of (await git(repo.root, ["ls-tree", "-r", "-z", commit])).split("\0")) {
      const match = /^\d+ blob ([0-9a-f]+)\t(.+)$/s.exec(line);
      if (match === null) continue;
      const [, blob, path] = match as unknown as [string, string, string];
      const name = posix.basename(path);
      if (name === "dvc.yaml") pipelineDirs.set(posix.dirname(path), blob);
      if (!name.endsWith(".dvc") && name !== "dvc.lock") continue;
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
  return { commits, outsOf };
}

/** The commits a scope names, each once, in dvc's order (revs, then branches or all, tags, date, experiments). */
export async function scopeCommits(root: string, scope: HistoryScope): Promise<string[]> {
  const lines = (text: string): string[] => text.split("\n").filter((line) => line !== "");
  const num = scope.num ?? 1;
  const firstParents = async (rev: string): Promise<string[]> =>
    num <= 0 ? [] : lines(await git(root, ["rev-list", "--first-parent", `--max-count=${num}`, rev, "--"]));
  const shas: string[] = [];
  if (scope.rev !== undefined) {
    const known = await git(root, ["rev-parse", "--verify", "--quiet", `${scope.rev}^{commit}`]).catch(
      () => "",
    );
    if (known.trim() === "")
      throw new FlowOpsError("INVALID_PARAMETER_VALUE", `unknown Git revision '${scope.rev}'`);
    shas.push(...(await firstParents(scope.rev)));
  }
  if (scope.allCommits === true) shas.push(...lines(await git(root, ["rev-list", "--all"])));
  else {
    if (scope.allBranches === true) {
      for (const tip of lines(await git(root, ["for-each-ref", "--format=%(objectname)", "refs/heads"]))) {
        shas.push(...(await firstParents(tip)));
      }
    }
    if (scope.allTags === true) shas.push(...lines(await git(root, ["rev-list", "--no-walk", "--tags"])));
    if (scope.commitDate !== undefined) {
      const since = commitDateStamp(scope.commitDate);
      for (const line of lines(await git(root, ["log", "--all", "--format=%H %ct"]))) {
        const [sha, time] = line.split(" ");
        if (sha !== undefined && Number(time) >= since) shas.push(sha);
      }
    }
  }
  if (scope.allExperiments === true) shas.push(...(await experimentCommits(root)));
  return [...new Set(shas)];
}

/** `YYYY-MM-DD` as the Unix time of that day's local midnight; anything else is dvc's usage error. */
export function commitDateStamp(date: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const [year, month, day] = [Number(match?.[1]), Number(match?.[2]), Number(match?.[3])];
  const midnight = new Date(year, month - 1, day);
  // Date rolls 2024-13-01 over into 2025: a day that does not read back the same does not exist.
  if (match === null || midnight.getMonth() !== month - 1 || midnight.getDate() !== day) {
    throw new FlowOpsError("INVALID_PARAMETER_VALUE", `--date: '${date}' is not a date as yyyy-mm-dd`);
  }
  return midnight.getTime() / 1000;
}

/** dvc's `exp_commits`: for each experiment ref `refs/exps/<baseline>/<name>`, its commits down to the baseline. */
async function experimentCommits(root: string): Promise<string[]> {
  const shas: string[] = [];
  const refs = (await git(root, ["for-each-ref", "--format=%(refname)", "refs/exps"])).split("\n");
  for (const ref of refs) {
    const match = /^refs\/exps\/([0-9a-f]{2})\/([0-9a-f]{38})\/[^/]+$/.exec(ref);
    if (match === null) continue;
    const baseline = `${match[1]}${match[2]}`;
    const listed = await git(root, ["rev-list", "--first-parent", ref, `^${baseline}`, "--"]);
    shas.push(...listed.split("\n").filter((line) => line !== ""));
  }
  return shas;
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

async function git(cwd: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)("git", args, { cwd, maxBuffer: 1 << 30, encoding: "utf8" });
    return stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? "";
    throw new FlowOpsError(
      "INVALID_STATE",
      `git ${args[0] ?? ""} failed in ${cwd}: ${stderr.trim() || String(error)}`,
    );
  }
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
