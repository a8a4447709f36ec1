/**
 * `import-url <source> [out]`: dvc's `imp_url` for local sources, http(s) URLs, s3:// objects or prefixes, and
 * `remote://name/path` inside a configured remote (importLocation.ts). The source is copied into the cache and
 * checked out at `out`, and `out.dvc` records both (the source as a dep) with the stage md5 and `frozen:
 * true`, so `status` does not look at the source again until `update` is asked to. `--no-exec` writes the
 * `.dvc` file only; `--no-download` hashes the source but leaves the out unhashed and absent; `--to-remote`
 * sends the objects to a remote and nothing into the workspace. `--version-aware` (s3 only) records object
 * versions and marks the out `push: false`, as dvc does (versionedS3Source.ts). The `.dvc` file's bytes are
 * dvc's.
 */
import { existsSync } from "node:fs";
import { basename, dirname, relative, resolve, sep } from "node:path";
import { invalidParameter } from "../errors.js";
import { resolveOutput } from "./addFromSource.js";
import type { DataRepo } from "./dataRepo.js";
import { DVC_FILE_SUFFIX, isSameOrInside, writeDvcFile, type DvcOut } from "./dvcFile.js";
import { ensureGitignored } from "./gitignoreEntries.js";
import { fetchUrlSource } from "./importFromUrl.js";
import { checkImportTarget, fetchImportSource, hashedEntry, type ImportMode } from "./importStage.js";
import { isRemotePath, locateImportSource, unreadableSource, type ImportLocation } from "./importLocation.js";
import { hashSource, missingDependency, shownPath } from "./importSource.js";
import { singleStageMd5 } from "./stageMd5.js";
import { describeUrlSource, isReadableUrl } from "./urlSource.js";
import { describeVersionedS3, wantsVersions } from "./versionedS3Source.js";

export interface ImportUrlOptions {
  /** Relative paths are relative to this; the process's cwd by default. */
  cwd?: string;
  /** Replace what is at the destination (dvc's `-f/--force`). */
  force?: boolean;
  /** Write the `.dvc` file only (dvc's `--no-exec`). */
  noExec?: boolean;
  mode?: ImportMode;
  /** dvc's `--fs-config`: options of the source's filesystem, kept in the dep (s3: endpointurl, region...). */
  fsConfig?: Record<string, string>;
  /** dvc's `--version-aware`: record the s3 object versions read (`fs_config: {version_aware: true}`). */
  versionAware?: boolean;
  /** dvc's "Importing 'src' -> 'out'", before the data moves. */
  onImporting?: (source: string, out: string) => void;
  onProgress?: (bytes: number, files: number) => void;
}

export interface ImportUrlResult {
  dvcFile: string;
  path: string;
  gitignore?: string;
}

export async function importUrl(
  repo: DataRepo,
  url: string,
  out: string | undefined,
  options: ImportUrlOptions = {},
): Promise<ImportUrlResult> {
  const cwd = options.cwd ?? process.cwd();
  const mode = options.mode ?? { kind: "download" };
  if (mode.kind === "to-remote" && (options.noExec === true || options.versionAware === true)) {
    throw invalidParameter("--no-exec/--no-download/--version-aware cannot be combined with --to-remote");
  }
  // dvc checks the destination only when data will land there.
  const dest =
    mode.kind === "to-remote" && out === undefined
      ? resolve(cwd, basename(url))
      : resolveOutput(url, out, cwd, options.force === true);
  if (!isSameOrInside(dest, repo.root) || dest === repo.root) {
    throw invalidParameter(`'${dest}': the destination must be inside the repository ${repo.root}`);
  }
  const wdir = dirname(dest);
  const dvcFile = `${dest}${DVC_FILE_SUFFIX}`;
  const remote = isReadableUrl(url) || isRemotePath(url);
  // A source inside the repository is recorded relative to the `.dvc` file; anything else as given.
  const urlAbs = resolve(cwd, url);
  const defPath =
    !remote && existsSync(urlAbs) && isSameOrInside(urlAbs, repo.root)
      ? relative(wdir, urlAbs).split(sep).join("/")
      : url;
  const location = locateImportSource(repo, defPath, wdir, options.fsConfig, cwd);
  if (location.kind === "unreadable") throw unreadableSource(defPath, location.url);
  const sourceAbs = location.kind === "local" ? location.abs : undefined;

  await checkImportTarget(repo, dest, dvcFile, cwd);
  if (sourceAbs !== undefined && (isSameOrInside(dest, sourceAbs) || isSameOrInside(sourceAbs, dest))) {
    throw invalidParameter(`'${url}' and its destination '${dest}' overlap`);
  }

  let dep: DvcOut;
  let outEntry: DvcOut;
  const outName = basename(dest);
  // dvc adds `version_aware: true` after the options given, as a boolean.
  const fsConfig: Record<string, unknown> | undefined =
    options.versionAware === true ? { ...options.fsConfig, version_aware: true } : options.fsConfig;
  const versioned = versionedImport(url, location, fsConfig, options.versionAware === true);
  if (options.noExec === true) {
    dep = withFsConfig(hashedEntry(undefined, defPath, undefined), fsConfig);
    outEntry = hashedEntry(undefined, outName, undefined);
  } else if (location.kind === "url") {
    if (mode.kind !== "to-remote") options.onImporting?.(url, relative(cwd, dest).split(sep).join("/"));
    const source = versioned
      ? await describeVersionedS3(location.url, {
          ...location.options,
          ...(fsConfig !== undefined ? { recordedFsConfig: fsConfig } : {}),
        })
      : await describeUrlSource(location.url, location.options);
    ({ dep, out: outEntry } = await fetchUrlSource(
      repo,
      source,
      dest,
      undefined,
      outName,
      mode,
      options.onProgress,
    ));
  } else {
    const sourceAbs = location.abs;
    const shownSource = shownPath(defPath, sourceAbs, repo.root, cwd);
    if (mode.kind !== "to-remote") {
      options.onImporting?.(shownSource, relative(cwd, dest).split(sep).join("/"));
    }
    if (!existsSync(sourceAbs)) throw missingDependency(shownSource);
    const hashed = await hashSource(repo, sourceAbs, options.onProgress);
    outEntry = await fetchImportSource(repo, { abs: sourceAbs, hashed }, dest, undefined, outName, mode);
    dep = withFsConfig(hashedEntry(undefined, defPath, hashed), fsConfig);
  }
  // The data is at its recorded versions in the source, so dvc does not push it (`push: false`).
  if (versioned && options.noExec !== true) outEntry = { ...outEntry, push: false };
  const raw: Record<string, unknown> = { frozen: true, deps: [dep], outs: [outEntry] };
  if (options.noExec !== true) raw.md5 = singleStageMd5(raw);
  await writeDvcFile(dvcFile, { outs: [outEntry], raw });
  const gitignore = mode.kind === "to-remote" ? undefined : await ensureGitignored(repo, dest);
  repo.state.flush();
  return { dvcFile, path: dest, ...(gitignore !== undefined ? { gitignore } : {}) };
}

/**
 * Whether the import reads versions; `--version-aware` on a source that has none is refused, where dvc 3.67.1
 * records the flag and reads the source as if it were not given.
 */
function versionedImport(
  url: string,
  location: ImportLocation,
  fsConfig: Record<string, unknown> | undefined,
  flag: boolean,
): boolean {
  const versioned = location.kind === "url" && wantsVersions(url, fsConfig);
  if (flag && !versioned) {
    throw invalidParameter(`'${url}': --version-aware reads s3:// URLs only in flowops`);
  }
  return versioned;
}

/** dvc writes a dep's `fs_config` after its path. */
function withFsConfig(dep: DvcOut, fsConfig: Record<string, unknown> | undefined): DvcOut {
  return fsConfig === undefined ? dep : ({ ...dep, fs_config: fsConfig } as DvcOut);
}
