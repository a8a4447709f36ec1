/**
 * `ls <url> [path]`: dvc's `ls` of a repository, a local one or a Git URL, at a revision or in its workspace.
 * A local DVC repository without `--rev` is listed from its workspace (listTracked.ts, what `ls` of this
 * repository shows); anything else from a Git revision, as dvc's DVCFileSystem shows one: the Git tree's files
 * with their blob sizes and its directories with their tree objects' sizes (what dvc's Git filesystem
 * reports), `.dvc` files and `.dvcignore` included, and the revision's outs with the size their `.dvc` file
 * or dvc.lock records. Files inside a directory out come from its manifest (the cache, else the remote, read
 * through the settings of sourceConfig.ts) and have no size, as in dvc.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import { childProcess, execFileText } from "../childProcess.js";
import { FlowOpsError } from "../errors.js";
import type { DataRepo } from "./dataRepo.js";
import type { DirEntry } from "./hashInfo.js";
import { listSource, type ListedEntry, type ListingSource, workspaceSource } from "./listTracked.js";
import type { RevisionOut } from "./diffRevisions.js";
import { loadDvcIgnore } from "./dvcIgnore.js";
import { repoOuts, type ViewedRepo } from "./repoView.js";
import { givenSourceConfig, type SourceConfig } from "./sourceConfig.js";
import { ObjectSupply } from "./sourceObjects.js";
import { openSourceAt, repoPath } from "./sourceRepo.js";

export interface ListRepositoryOptions extends SourceConfig {
  rev?: string;
  recursive?: boolean;
  dvcOnly?: boolean;
  level?: number;
  tree?: boolean;
}

interface TreeEntry {
  isdir: boolean;
  isexec: boolean;
  size: number;
}

/** Every blob and tree of `rev` by its path, with the object sizes `git cat-file --batch-check` gives. */
async function gitTree(root: string, rev: string): Promise<Map<string, TreeEntry>> {
  const { stdout } = await execFileText("git", ["ls-tree", "-r", "-t", "-z", "--full-tree", rev], {
    cwd: root,
    maxBuffer: 1 << 30,
  });
  const rows: { path: string; mode: string; type: string; oid: string }[] = [];
  for (const line of stdout.split("\0")) {
    const tab = line.indexOf("\t");
    if (tab < 0) continue;
    const [mode, type, oid] = line.slice(0, tab).split(" ");
    if (type === "blob" || type === "tree")
      rows.push({ path: line.slice(tab + 1), mode: mode!, type, oid: oid! });
  }
  const sizes = await objectSizes(root, [...new Set(rows.map((row) => row.oid))]);
  const tree = new Map<string, TreeEntry>();
  for (const row of rows) {
    tree.set(row.path, {
      isdir: row.type === "tree",
      isexec: row.mode === "100755",
      size: sizes.get(row.oid) ?? 0,
    });
  }
  return tree;
}

/** `git cat-file --batch-check` over the object ids, fed on stdin: one process for the whole tree. */
function batchCheck(root: string, oids: readonly string[]): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const git = childProcess().spawn("git", ["cat-file", "--batch-check=%(objectname) %(objectsize)"], {
      cwd: root,
      stdio: ["pipe", "pipe", "inherit"],
    });
    const chunks: Buffer[] = [];
    git.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
    git.on("error", reject);
    git.on("close", (code) =>
      code === 0
        ? resolvePromise(Buffer.concat(chunks).toString("utf8"))
        : reject(new FlowOpsError("INTERNAL_ERROR", `git cat-file --batch-check exited ${code}`)),
    );
    git.stdin.end(`${oids.join("\n")}\n`);
  });
}

async function objectSizes(root: string, oids: string[]): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  if (oids.length === 0) return sizes;
  for (const line of (await batchCheck(root, oids)).split("\n")) {
    const [oid, size] = line.split(" ");
    if (oid !== undefined && size !== undefined) sizes.set(oid, Number(size));
  }
  return sizes;
}

/** The revision `rev` of `repo` (a Git-only one has no outs) as a listing source. */
async function revisionSource(
  repo: ViewedRepo,
  outsAt: readonly RevisionOut[],
  rev: string,
  supply: ObjectSupply,
): Promise<ListingSource> {
  const tree = await gitTree(repo.root, rev);
  const rel = (abs: string): string => relative(repo.root, abs).split(sep).join("/") || ".";
  const outs = outsAt.map((out) => ({
    abs: join(repo.root, out.path),
    md5: out.md5 ?? null,
    size: out.size,
    isexec: out.isexec,
  }));
  const names = new Map<string, string[]>();
  for (const path of tree.keys()) {
    const slash = path.lastIndexOf("/");
    const parent = slash < 0 ? "." : path.slice(0, slash);
    const siblings = names.get(parent) ?? [];
    siblings.push(path.slice(slash + 1));
    names.set(parent, siblings);
  }
  return {
    root: repo.root,
    outs: () => Promise.resolve(outs),
    stat: (abs) => {
      const path = rel(abs);
      return Promise.resolve(path === "." ? { isdir: true, isexec: false, size: 0 } : tree.get(path));
    },
    names: (absDir) => Promise.resolve(names.get(rel(absDir)) ?? []),
    // A manifest neither the cache nor the remote has fails a listing that needs the directory's contents.
    manifest: (md5, abs): Promise<readonly DirEntry[]> => supply.manifest(md5, rel(abs)),
    ignores: (path, isDir) => repo.ignore.ignores(path, isDir),
  };
}

export async function listRepository(
  url: string,
  path: string | undefined,
  cwd: string,
  options: ListRepositoryOptions = {},
): Promise<ListedEntry[]> {
  const scratch = await mkdtemp(join(tmpdir(), "flowops-ls-"));
  let repo: DataRepo | undefined;
  try {
    const source = await openSourceAt(url, options.rev, cwd, scratch, givenSourceConfig(options));
    repo = source.repo;
    const inRepo = repoPath(path ?? "");
    const listing = {
      cwd: source.root,
      ...(options.recursive === true ? { recursive: true } : {}),
      ...(options.dvcOnly === true ? { dvcOnly: true } : {}),
      ...(options.level !== undefined ? { level: options.level } : {}),
      ...(options.tree === true ? { tree: true } : {}),
    };
    if (repo !== undefined && source.rev === undefined) {
      return await listSource(workspaceSource(repo), inRepo, listing);
    }
    const rev = source.rev ?? "HEAD";
    const viewed = repo ?? { root: source.root, ignore: await loadDvcIgnore(source.root) };
    const outs = repo === undefined ? [] : await repoOuts(repo, rev);
    const supply = new ObjectSupply(
      repo,
      scratch,
      options.remote !== undefined ? { remote: options.remote } : {},
    );
    return await listSource(await revisionSource(viewed, outs, rev, supply), inRepo, listing);
  } finally {
    repo?.state.close();
    await rm(scratch, { recursive: true, force: true });
  }
}
