/**
 * Where an import's source is read from, given the dep path dvc records: a local path (absolute, or relative
 * to the `.dvc` file's directory), an http(s) or s3 URL read through its own client with the dep's
 * `fs_config`, or `remote://name/path`, a path inside a configured remote read with that remote's options
 * (its url and endpoint, credentials...), while the dep keeps the `remote://` path as written.
 */
import { uriScheme } from "../artifacts/resolveStore.js";
import { invalidParameter, type FlowOpsError } from "../errors.js";
import type { DataRepo } from "./dataRepo.js";
import { resolveRemotePath } from "./dataRemote.js";
import type { DvcOut } from "./dvcFile.js";
import { importSourcePath } from "./importSource.js";
import { depFsConfig, isReadableUrl, type DescribeOptions } from "./urlSource.js";

export type ImportLocation =
  | { kind: "local"; abs: string }
  | { kind: "url"; url: string; options: DescribeOptions }
  /** A remote:// path into a remote that flowops cannot read from (gs://, azure://...). */
  | { kind: "unreadable"; url: string };

export function isRemotePath(path: string): boolean {
  return /^remote:\/\//i.test(path);
}

/**
 * The location of `defPath` (a dep's path) for a `.dvc` file in `wdir`, with the dep's `fs_config`;
 * `configDir` resolves relative paths in that config (a remote's own options resolve from `.dvc/`).
 */
export function locateImportSource(
  repo: Pick<DataRepo, "dvcDir" | "config">,
  defPath: string,
  wdir: string,
  fsConfig: Record<string, string> | undefined,
  configDir: string,
): ImportLocation {
  if (isRemotePath(defPath)) {
    const { location, section } = resolveRemotePath(repo, defPath);
    if (uriScheme(location) === undefined) return { kind: "local", abs: location };
    if (!isReadableUrl(location)) return { kind: "unreadable", url: location };
    // The remote's own options, with an `fs_config` given to the import applied over them.
    const merged = { ...section, ...fsConfig };
    delete merged.url;
    return {
      kind: "url",
      url: location,
      options: {
        fsConfig: merged,
        configDir: repo.dvcDir,
        recordedPath: defPath,
        ...(fsConfig !== undefined ? { recordedFsConfig: fsConfig } : {}),
      },
    };
  }
  if (isReadableUrl(defPath)) {
    return {
      kind: "url",
      url: defPath,
      options: { ...(fsConfig !== undefined ? { fsConfig } : {}), configDir },
    };
  }
  return { kind: "local", abs: importSourcePath(defPath, wdir) };
}

/** `locateImportSource` for a recorded dep. */
export function locateDep(
  repo: Pick<DataRepo, "dvcDir" | "config">,
  dep: DvcOut,
  wdir: string,
  configDir: string,
): ImportLocation {
  return locateImportSource(repo, dep.path, wdir, depFsConfig(dep), configDir);
}

/** The error for an `unreadable` location, naming what flowops reads. */
export function unreadableSource(defPath: string, location: string): FlowOpsError {
  return invalidParameter(
    `'${defPath}' is ${location}: flowops imports from local paths, http(s) and s3 only yet; download it and ` +
      "use `flowops data add`",
  );
}
