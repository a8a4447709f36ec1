/**
 * `import <url> <path>`: dvc's `import`, a file or directory of another repository brought in as `get`
 * brings it (data/getFromRepo.ts), at a fixed commit, and tracked by `<out>.dvc`. The `.dvc` file's one dep
 * names the repository (`repo: {url, rev, rev_lock}`: the revision asked for, if any, and the commit it
 * resolved to) and the path in it; the out is hashed and cached like any other, with the stage md5 and
 * `frozen: true`, so both tools leave it alone until `update`. As dvc, it reads the commit, never the source's
 * workspace: a local repository's edits that are not committed do not come along.
 */
import { mkdir, rm } from "node:fs/promises";
import { basename, join, relative, sep } from "node:path";
import { invalidParameter } from "../errors.js";
import { resolveOutput } from "./addFromSource.js";
import type { DataRepo } from "./dataRepo.js";
import { DVC_FILE_SUFFIX, isSameOrInside, writeDvcFile, type DvcOut } from "./dvcFile.js";
import { getFromRepo } from "./getFromRepo.js";
import { ensureGitignored } from "./gitignoreEntries.js";
import { checkImportTarget, hashedEntry } from "./importStage.js";
import { hashSource } from "./importSource.js";
import {
  givenSourceConfig,
  recordedSourceConfig,
  type RecordedSourceConfig,
  type SourceConfig,
} from "./sourceConfig.js";
import { sourceCommit } from "./sourceRepo.js";
import { transferSource } from "./sourceTransfer.js";
import { singleStageMd5 } from "./stageMd5.js";

export interface ImportRepoOptions {
  /** Relative paths are relative to this; the process's cwd by default. */
  cwd?: string;
  /** A Git revision of the source (recorded as `rev`); its HEAD otherwise. */
  rev?: string;
  force?: boolean;
  jobs?: number;
  /** Write the `.dvc` file only (dvc's `--no-exec`): no commit resolved, no hashes, no data. */
  noExec?: boolean;
  /**
   * dvc's `--no-download`: resolve and record the commit (`rev_lock`) but fetch nothing; the out has no hash
   * until `data update` brings the data.
   */
  noDownload?: boolean;
  /** dvc's `--remote`: the source repository's remote to download from, recorded in the dep for `update`. */
  remote?: string;
  /**
   * dvc's `--config` (a file merged over the source's config) and `--remote-config` (options of that remote),
   * recorded in the dep as dvc's `imp` records them (sourceConfig.ts) so `update` reads the source the same way.
   */
  config?: string;
  remoteConfig?: Record<string, string>;
  /** dvc's "Importing 'path (url)' -> 'out'", before the data moves. */
  onImporting?: (source: string, out: string) => void;
}

export interface ImportRepoResult {
  dvcFile: string;
  path: string;
  gitignore?: string;
}

/** The dep of a repository import, in dvc's key order (no `rev_lock` before the first import ran). */
export function repoDep(
  path: string,
  url: string,
  rev: string | undefined,
  revLock: string | undefined,
  recorded: RecordedSourceConfig = {},
): DvcOut {
  return {
    path,
    repo: {
      url,
      ...(rev !== undefined ? { rev } : {}),
      ...(revLock !== undefined ? { rev_lock: revLock } : {}),
      ...(recorded.config !== undefined ? { config: recorded.config } : {}),
      ...(recorded.remote !== undefined ? { remote: recorded.remote } : {}),
    },
  } as unknown as DvcOut;
}

/**
 * Downloads `path` of the repository at `url` at `rev` (HEAD by default) into the cache and checks it out at
 * `dest`; answers the out's entry and the commit read.
 */
export async function fetchRepoPath(
  repo: DataRepo,
  url: string,
  path: string,
  dest: string,
  outPath: string,
  options: {
    cwd: string;
    rev?: string | undefined;
    jobs?: number | undefined;
    previousOut?: DvcOut;
    /** How to read the source repository: its remote, config file, remote options (sourceConfig.ts). */
    source?: SourceConfig | undefined;
  },
): Promise<{ out: DvcOut; commit: string }> {
  const staging = join(repo.tmpDir, `flowops-import-${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  try {
    const got = await getFromRepo(url, path, options.cwd, {
      out: join(staging, "data"),
      rev: options.rev ?? "HEAD",
      ...(options.jobs !== undefined ? { jobs: options.jobs } : {}),
      ...options.source,
      localCache: repo.cache,
    });
    const hashed = await hashSource(repo, got.out);
    await transferSource(repo, { abs: got.out, hashed }, dest);
    return { out: hashedEntry(options.previousOut, outPath, hashed), commit: got.commit! };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

export async function importRepo(
  repo: DataRepo,
  url: string,
  path: string,
  out: string | undefined,
  options: ImportRepoOptions = {},
): Promise<ImportRepoResult> {
  const cwd = options.cwd ?? process.cwd();
  const dest = resolveOutput(path, out, cwd, options.force === true);
  if (!isSameOrInside(dest, repo.root) || dest === repo.root) {
    throw invalidParameter(`'${dest}': the destination must be inside the repository ${repo.root}`);
  }
  const dvcFile = `${dest}${DVC_FILE_SUFFIX}`;
  const recorded = recordedSourceConfig(options);
  await checkImportTarget(repo, dest, dvcFile, cwd);
  let fetched: { out: DvcOut; commit: string | undefined };
  if (options.noExec === true) {
    fetched = { out: hashedEntry(undefined, basename(dest), undefined), commit: undefined };
  } else if (options.noDownload === true) {
    options.onImporting?.(`${path} (${url})`, relative(cwd, dest).split(sep).join("/"));
    const commit = await sourceCommit(url, options.rev ?? "HEAD", cwd);
    fetched = { out: hashedEntry(undefined, basename(dest), undefined), commit };
  } else {
    options.onImporting?.(`${path} (${url})`, relative(cwd, dest).split(sep).join("/"));
    fetched = await fetchRepoPath(repo, url, path, dest, basename(dest), {
      cwd,
      rev: options.rev,
      jobs: options.jobs,
      source: givenSourceConfig(options),
    });
  }
  const raw: Record<string, unknown> = {
    frozen: true,
    deps: [repoDep(path, url, options.rev, fetched.commit, recorded)],
    outs: [fetched.out],
  };
  if (options.noExec !== true) raw.md5 = singleStageMd5(raw);
  await writeDvcFile(dvcFile, { outs: [fetched.out], raw });
  const gitignore = await ensureGitignored(repo, dest);
  repo.state.flush();
  return { dvcFile, path: dest, ...(gitignore !== undefined ? { gitignore } : {}) };
}
