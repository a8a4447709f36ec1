/**
 * An s3:// import read version-aware, as dvc 3 does with `import-url --version-aware` (dvc's `fs_config:
 * {version_aware: true}`), or for a dep that records a `version_id` or a `files` list. The dep records what
 * dvc records: an object's `etag`, `size` and `version_id`; a prefix as a `files` list of each object's
 * `relpath`, `etag`, `size` and `version_id` in place of an md5 (dvc's `with_files` dump). The status is
 * dvc's `Dependency.workspace_status`: an object whose latest version is another than the recorded one has
 * an "update available"; a prefix is "modified" when its tree of ETags changed (a rewrite with the same bytes
 * is no change). A URL with `?versionId=` names one version for good: it is read, compared and updated at that
 * version. This module must not decide where data lands; importFromUrl.ts does that as for any URL source.
 */
import { FlowOpsError } from "../errors.js";
import type { DepStatus } from "./dataStatus.js";
import { sortByCodePoints } from "./dirManifest.js";
import type { DvcFileDoc, DvcOut } from "./dvcFile.js";
import { isS3Url, isVersionAwareConfig, namesS3Version } from "./importSource.js";
import type { S3SourceFile, S3SourceInfo } from "./s3Source.js";
import type { UrlSourceState } from "./urlSource.js";

export interface VersionedS3State extends UrlSourceState {
  info: S3SourceInfo;
}

export interface VersionedS3Options {
  /** The options the source is read with (the dep's `fs_config` as strings, or a remote's section). */
  fsConfig?: Record<string, string>;
  configDir?: string;
  /** The `fs_config` the dep records, as written (`version_aware: true` is a YAML boolean there). */
  recordedFsConfig?: Record<string, unknown>;
  /** Describe this version of an object rather than the latest (dvc's `update --rev`). */
  versionId?: string;
}

/** Whether dvc reads `url` with this `fs_config` version-aware (s3 only: other URLs are never versioned). */
export function wantsVersions(url: string, fsConfig: Readonly<Record<string, unknown>> | undefined): boolean {
  return isS3Url(url) && (isVersionAwareConfig(fsConfig) || namesS3Version(url));
}

/** dvc's `Output.__init__`: a recorded `version_id` or `files` list makes the filesystem version-aware too. */
export function isVersionedDep(dep: DvcOut): boolean {
  if (typeof dep !== "object" || dep === null || typeof dep.path !== "string" || !isS3Url(dep.path))
    return false;
  const fields = dep as Record<string, unknown>;
  if (typeof fields.version_id === "string" || Array.isArray(fields.files)) return true;
  return wantsVersions(dep.path, recordedFsConfig(dep));
}

/** dvc's `Stage.is_versioned_import`: an import (no command, one dep, one out) whose dep is read by version. */
export function isVersionedImport(doc: DvcFileDoc): boolean {
  return (
    doc.raw.cmd === undefined &&
    doc.deps?.length === 1 &&
    doc.outs.length === 1 &&
    isVersionedDep(doc.deps[0] as DvcOut)
  );
}

/** The dep's `fs_config` exactly as the file holds it. */
export function recordedFsConfig(dep: DvcOut): Record<string, unknown> | undefined {
  const config = (dep as { fs_config?: unknown }).fs_config;
  return typeof config === "object" && config !== null && !Array.isArray(config)
    ? (config as Record<string, unknown>)
    : undefined;
}

/** What the versioned source at `url` is now, recorded as dvc records it; gone is dvc's dependency error. */
export async function describeVersionedS3(
  url: string,
  options: VersionedS3Options = {},
): Promise<VersionedS3State> {
  const { downloadS3, parseS3Url, s3SourceInfo } = await import("./s3Source.js");
  const pinned = parseS3Url(url).versionId;
  if (pinned !== undefined && options.versionId !== undefined && options.versionId !== pinned) {
    throw new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      `'${url}' names version '${pinned}'; --rev '${options.versionId}' cannot move it: import the key ` +
        "without ?versionId= to follow its versions",
    );
  }
  const readOptions = {
    versionAware: true,
    ...(options.fsConfig !== undefined ? { fsConfig: options.fsConfig } : {}),
    ...(options.configDir !== undefined ? { configDir: options.configDir } : {}),
    ...(options.versionId !== undefined ? { versionId: options.versionId } : {}),
  };
  const info = await s3SourceInfo(url, readOptions);
  const fsConfig = options.recordedFsConfig;
  const recorded = fsConfig !== undefined ? { fs_config: fsConfig } : {};
  const download = (dest: string, onBytes?: (bytes: number) => void): Promise<void> =>
    downloadS3(url, info, dest, onBytes, readOptions);
  if (info.kind === "file") {
    const dep = {
      etag: info.etag,
      size: info.size,
      ...(info.versionId !== undefined ? { version_id: info.versionId } : {}),
      hash: "md5",
      path: url,
      ...recorded,
    } as unknown as DvcOut;
    const identity =
      info.versionId !== undefined
        ? { field: "version_id", value: info.versionId }
        : { field: "etag", value: info.etag };
    return { dep, identity, download, info };
  }
  const dep = { hash: "md5", path: url, ...recorded, files: recordedFiles(info.files) } as unknown as DvcOut;
  return { dep, identity: { field: "files", value: `${info.treeMd5}.dir` }, download, info };
}

/**
 * dvc's `Dependency.update(rev)`: an object at version `rev`, or its latest without one; a prefix has no
 * version, so `rev` is ignored there and the latest of each key is read.
 */
export async function describeVersionedForUpdate(
  url: string,
  options: VersionedS3Options,
  rev: string | undefined,
): Promise<VersionedS3State> {
  if (rev === undefined) return describeVersionedS3(url, options);
  try {
    return await describeVersionedS3(url, { ...options, versionId: rev });
  } catch (error) {
    if (!(error instanceof FlowOpsError && error.code === "RESOURCE_DOES_NOT_EXIST")) throw error;
    const latest = await describeVersionedS3(url, options).catch(() => undefined);
    if (latest?.info.kind === "directory") return latest;
    throw error;
  }
}

/** dvc's `files` entries: sorted by relpath, each `relpath`, `etag`, `size`, `version_id`. */
function recordedFiles(files: readonly S3SourceFile[]): Record<string, unknown>[] {
  return sortByCodePoints([...files], (file) => file.relpath).map((file) => ({
    relpath: file.relpath,
    etag: file.etag,
    size: file.size,
    ...(file.versionId !== undefined ? { version_id: file.versionId } : {}),
  }));
}

/**
 * How the recorded dep differs from the source now, as dvc's status says it: "update available" for an object
 * with a newer version, "modified" for other content (or nothing recorded yet), nothing when unchanged.
 */
export async function versionedChange(
  recorded: DvcOut,
  now: VersionedS3State,
): Promise<DepStatus | undefined> {
  const fields = recorded as Record<string, unknown>;
  if (now.info.kind === "file") {
    if (typeof fields.version_id === "string") {
      return fields.version_id === now.info.versionId ? undefined : "update available";
    }
    return fields.etag === now.info.etag ? undefined : "modified";
  }
  const files = recordedFileList(recorded);
  if (files === undefined) return "modified";
  const { etagTreeMd5 } = await import("./s3Source.js");
  return etagTreeMd5(files) === now.info.treeMd5 ? undefined : "modified";
}

/** The dep's `files` as ETag tree entries; a malformed entry names the dep. */
function recordedFileList(dep: DvcOut): S3SourceFile[] | undefined {
  const files = (dep as { files?: unknown }).files;
  if (!Array.isArray(files)) return undefined;
  return files.map((entry: unknown, index) => {
    const file = entry as { relpath?: unknown; etag?: unknown; size?: unknown };
    if (typeof file?.relpath !== "string" || typeof file.etag !== "string") {
      throw new FlowOpsError(
        "INVALID_PARAMETER_VALUE",
        `dep '${dep.path}': files[${index}] must have a string 'relpath' and 'etag'`,
      );
    }
    return { relpath: file.relpath, etag: file.etag, size: typeof file.size === "number" ? file.size : 0 };
  });
}

/** dvc's status of a versioned dep: gone is "deleted" (where dvc 3.67.1 stops with an unexpected error). */
export async function versionedDepStatus(
  dep: DvcOut,
  url: string,
  options: VersionedS3Options,
): Promise<DepStatus | undefined> {
  let now: VersionedS3State;
  try {
    now = await describeVersionedS3(url, options);
  } catch (error) {
    if (error instanceof FlowOpsError && error.code === "RESOURCE_DOES_NOT_EXIST") return "deleted";
    throw error;
  }
  return versionedChange(dep, now);
}
