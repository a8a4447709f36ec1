/**
 * `dvc du`: the size of a path of a repository as dvc's DVCFileSystem sees it (the view `get` reads,
 * repoView.ts), each entry of a directory and their total, or the total alone. Sizes follow dvc's `du`: a file
 * in the workspace or in Git by its bytes, a DVC output by the `size` its `.dvc` file or dvc.lock records (a
 * directory output is not walked), and a file inside a directory output that is not in the workspace counts 0,
 * since a `.dir` manifest records no sizes.
 */
import { lstat, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FlowOpsError } from "../errors.js";
import type { DataRepo } from "./dataRepo.js";
import type { RevisionOut } from "./diffRevisions.js";
import { loadDvcIgnore } from "./dvcIgnore.js";
import { readRepoView, repoOuts, type ViewFile } from "./repoView.js";
import { givenSourceConfig } from "./sourceConfig.js";
import { ObjectSupply } from "./sourceObjects.js";
import { gitBytes, openSourceAt, repoPath } from "./sourceRepo.js";

export interface DiskUsageEntry {
  /** As dvc prints it: relative to the repository root, "" for the root. */
  path: string;
  bytes: number;
}

export interface DiskUsageOptions {
  rev?: string;
  /** One line: the path's total. */
  summarize?: boolean;
  remote?: string;
  /** dvc's `--config` and `--remote-config` (sourceConfig.ts). */
  config?: string;
  remoteConfig?: Record<string, string>;
}

export async function diskUsage(
  url: string,
  path: string | undefined,
  cwd: string,
  options: DiskUsageOptions = {},
): Promise<DiskUsageEntry[]> {
  const scratch = await mkdtemp(join(tmpdir(), "flowops-du-"));
  let repo: DataRepo | undefined;
  try {
    const source = await openSourceAt(url, options.rev, cwd, scratch, givenSourceConfig(options));
    const { root, rev } = source;
    repo = source.repo;
    const supply = new ObjectSupply(
      repo,
      scratch,
      options.remote !== undefined ? { remote: options.remote } : {},
    );
    const viewed = repo ?? { root, ignore: await loadDvcIgnore(root) };
    const outs = repo === undefined ? [] : await repoOuts(repo, rev);
    const inRepo = repoPath(path ?? "");
    const view = await readRepoView(viewed, inRepo, rev, outs, (oid, out) => supply.manifest(oid, out));
    const named = inRepo === "." ? "" : inRepo;
    if (view === undefined) {
      throw new FlowOpsError(
        "RESOURCE_DOES_NOT_EXIST",
        `The path '${named}' does not exist in the target repository '${url}' neither as a DVC output nor as a ` +
          "Git-tracked file.",
      );
    }
    const sizes = new FileSizes(root, outs);
    const total = (prefix: string): Promise<number> => sizes.under(prefix, view.files);
    if (options.summarize === true || view.isFile) return [{ path: named, bytes: await total(inRepo) }];
    const children = new Set<string>();
    const depth = inRepo === "." ? 0 : inRepo.split("/").length;
    for (const file of view.files)
      children.add(
        file.path
          .split("/")
          .slice(0, depth + 1)
          .join("/"),
      );
    for (const dir of view.dirs) {
      const parts = dir.split("/");
      if (dir !== inRepo && parts.length > depth) children.add(parts.slice(0, depth + 1).join("/"));
    }
    const entries: DiskUsageEntry[] = [];
    for (const child of [...children].sort()) entries.push({ path: child, bytes: await total(child) });
    entries.push({ path: named, bytes: entries.reduce((sum, entry) => sum + entry.bytes, 0) });
    return entries;
  } finally {
    repo?.state.close();
    await rm(scratch, { recursive: true, force: true });
  }
}

class FileSizes {
  private readonly outsByPath: Map<string, RevisionOut>;

  constructor(
    private readonly root: string,
    outs: readonly RevisionOut[],
  ) {
    this.outsByPath = new Map(outs.map((out) => [out.path, out]));
  }

  /**
   * dvc's `DVCFileSystem.du(prefix, total=True)` over the view's files: an output directory with a recorded
   * size counts that size and is not walked.
   */
  async under(prefix: string, files: readonly ViewFile[]): Promise<number> {
    let bytes = 0;
    const counted = new Set<string>();
    for (const file of files) {
      if (prefix !== "." && file.path !== prefix && !file.path.startsWith(`${prefix}/`)) continue;
      const sizedDir = this.sizedOutDirHolding(file.path, prefix);
      if (sizedDir !== undefined) {
        if (!counted.has(sizedDir.path)) bytes += sizedDir.size ?? 0;
        counted.add(sizedDir.path);
        continue;
      }
      bytes += await this.fileSize(file);
    }
    return bytes;
  }

  /** The outermost directory output at or below `prefix` that holds `path` and records its size. */
  private sizedOutDirHolding(path: string, prefix: string): RevisionOut | undefined {
    const parts = path.split("/");
    const start = prefix === "." ? 1 : prefix.split("/").length;
    for (let length = start; length < parts.length; length++) {
      const out = this.outsByPath.get(parts.slice(0, length).join("/"));
      if (out?.size !== undefined) return out;
    }
    return undefined;
  }

  private async fileSize(file: ViewFile): Promise<number> {
    const source = file.source;
    if (source.kind === "workspace") return (await lstat(source.abs)).size;
    if (source.kind === "git") {
      const size = await gitBytes(this.root, ["cat-file", "-s", `${source.rev}:${source.path}`]);
      return Number(size.toString("utf8").trim());
    }
    // An output file counts the size its .dvc file or dvc.lock records; one inside a directory, nothing.
    return this.outsByPath.get(file.path)?.size ?? 0;
  }
}

/** dvc's `naturalsize`: bytes under 1 KiB as they are, else tqdm's `format_sizeof` with 1024 steps. */
export function naturalSize(bytes: number): string {
  if (bytes < 1024) return bytes.toFixed(0);
  let num = bytes;
  for (const unit of ["", "k", "M", "G", "T", "P", "E", "Z"]) {
    if (Math.abs(num) < 999.5) {
      if (Math.abs(num) < 99.95) {
        if (Math.abs(num) < 9.995) return `${num.toFixed(2)}${unit}`;
        return `${num.toFixed(1)}${unit}`;
      }
      return `${num.toFixed(0)}${unit}`;
    }
    num /= 1024;
  }
  return `${num.toFixed(1)}Y`;
}

/** dvc's `ui.table` without headers: columns padded to their widest cell, two spaces apart, lines right-trimmed. */
export function formatDiskUsage(entries: readonly DiskUsageEntry[]): string {
  const sizes = entries.map((entry) => naturalSize(entry.bytes));
  const width = Math.max(0, ...sizes.map((size) => size.length));
  return entries.map((entry, i) => `${sizes[i]!.padEnd(width)}  ${entry.path}`.trimEnd()).join("\n");
}
