/**
 * Where an import's source is and how dvc names it: a local path recorded in a `.dvc` file's dep, absolute or
 * relative to the file's directory. Kept apart from the transfer code so `status` can check a source without
 * loading it.
 */
import { isAbsolute, relative, resolve, sep } from "node:path";
import { FlowOpsError } from "../errors.js";
import type { DataRepo } from "./dataRepo.js";
import { isSameOrInside } from "./dvcFile.js";
import { HashPool } from "./hashPool.js";
import { hashPath, type HashedPath } from "./hashTree.js";

/** A URL scheme (`s3://`, `https://`, `remote://`): dvc reads those through its filesystems (we read http(s) and s3). */
const URL_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

/** An http(s) URL: a source `import-url` reads through httpSource.ts. */
export function isHttpUrl(path: string): boolean {
  return /^https?:\/\//i.test(path);
}

/** An s3:// URL: a source `import-url` reads through s3Source.ts. */
export function isS3Url(path: string): boolean {
  return /^s3:\/\//i.test(path);
}

/** An s3 URL naming one object version, as s3fs writes it: `s3://bucket/key?versionId=...`. */
export function namesS3Version(url: string): boolean {
  return isS3Url(url) && /\?versionId=[^&]*$/.test(url);
}

/** Whether an `fs_config` says `version_aware`, in dvc's boolean spellings (configobj's `Bool`) or YAML's. */
export function isVersionAwareConfig(fsConfig: Readonly<Record<string, unknown>> | undefined): boolean {
  const value = fsConfig?.version_aware;
  return value === true || (typeof value === "string" && /^(true|yes|on|1)$/i.test(value));
}

/** Whether a dep path is a URL (which dvc reads through a filesystem plugin) rather than a local path. */
export function isUrlPath(defPath: string): boolean {
  return URL_SCHEME.test(defPath);
}

/** The source's absolute path for a dep recorded as `defPath` in a `.dvc` file whose directory is `wdir`. */
export function importSourcePath(defPath: string, wdir: string): string {
  if (isUrlPath(defPath)) {
    throw new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      `'${defPath}': only local paths can be imported by flowops yet; download it and use \`flowops data add\``,
    );
  }
  return isAbsolute(defPath) ? defPath : resolve(wdir, defPath);
}

/**
 * dvc's `Output.__str__` for a local source: as written when absolute or a URL (`remote://name/path`), else
 * absolute outside the repo, else from the cwd.
 */
export function shownPath(defPath: string, abs: string, root: string, cwd: string): string {
  if (isAbsolute(defPath) || isUrlPath(defPath)) return defPath;
  if (!isSameOrInside(abs, root) || abs === root) return abs;
  const from = isSameOrInside(cwd, root) ? cwd : root;
  return relative(from, abs).split(sep).join("/");
}

/** dvc's error when an import's source is missing (DependencyDoesNotExistError). */
export function missingDependency(shown: string): FlowOpsError {
  return new FlowOpsError("RESOURCE_DOES_NOT_EXIST", `dependency '${shown}' does not exist`);
}

/** Hashes data outside the workspace (or in it) through the state, so an unchanged source is not reread. */
export function hashSource(
  repo: DataRepo,
  sourceAbs: string,
  onProgress?: (bytes: number, files: number) => void,
): Promise<HashedPath> {
  return hashPath(sourceAbs, {
    root: repo.root,
    state: repo.state,
    pool: HashPool.shared(),
    ...(onProgress !== undefined ? { onProgress } : {}),
  });
}
