/**
 * A source that `import-url` reads through a client of its own rather than the file system: http(s)
 * (httpSource.ts) and s3 (s3Source.ts). Each answers what dvc records for it now (the dep entry, in dvc's key
 * order) and the one field dvc compares to tell a changed source, then downloads what it described.
 * `status`, `update` and `repro` ask the same question, so all of them agree with dvc on what changed.
 */
import { FlowOpsError } from "../errors.js";
import type { DvcOut } from "./dvcFile.js";
import { isHttpUrl, isS3Url } from "./importSource.js";

export interface UrlSourceState {
  dep: DvcOut;
  /** The dep field dvc compares (`checksum`, `etag` or a directory's `md5`) and its value now. */
  identity: { field: string; value: string };
  /** Writes the data at `dest`: a file, or a directory for a prefix. */
  download(dest: string, onBytes?: (bytes: number) => void): Promise<void>;
}

/** Whether `import-url` can read this URL (http, https, s3). */
export function isReadableUrl(url: string): boolean {
  return isHttpUrl(url) || isS3Url(url);
}

/** A dep's `fs_config` (dvc's `--fs-config`), when it records one. */
export function depFsConfig(dep: DvcOut): Record<string, string> | undefined {
  const config = (dep as { fs_config?: unknown }).fs_config;
  if (typeof config !== "object" || config === null || Array.isArray(config)) return undefined;
  return Object.fromEntries(Object.entries(config).map(([key, value]) => [key, String(value)]));
}

/**
 * The dep entry dvc writes: the source's hashes and meta, `hash: md5`, the path, then `fs_config` when the
 * import was given one (it is part of the stage, and of its md5).
 */
function depEntry(fields: Record<string, unknown>, url: string, fsConfig?: Record<string, string>): DvcOut {
  return {
    ...fields,
    hash: "md5",
    path: url,
    ...(fsConfig !== undefined ? { fs_config: fsConfig } : {}),
  } as unknown as DvcOut;
}

export interface DescribeOptions {
  /** Filesystem options applied when reading (s3: endpointurl, region, profile, credentials...). */
  fsConfig?: Record<string, string>;
  /** Where relative paths in `fsConfig` resolve; the cwd by default. */
  configDir?: string;
  /** The dep's path when it is not the URL read (a `remote://name/path`). */
  recordedPath?: string;
  /** With `recordedPath`: the `fs_config` the dep records (the import's own `--fs-config`, not the remote's). */
  recordedFsConfig?: Record<string, string>;
}

/** What the source at `url` is now; RESOURCE_DOES_NOT_EXIST with dvc's sentence when it is gone. */
export async function describeUrlSource(url: string, options: DescribeOptions = {}): Promise<UrlSourceState> {
  const recordedPath = options.recordedPath ?? url;
  try {
    const recordedFsConfig = options.recordedPath === undefined ? options.fsConfig : options.recordedFsConfig;
    return await describeAt(url, options, recordedPath, recordedFsConfig);
  } catch (error) {
    if (recordedPath !== url && error instanceof FlowOpsError && error.code === "RESOURCE_DOES_NOT_EXIST") {
      throw new FlowOpsError("RESOURCE_DOES_NOT_EXIST", `dependency '${recordedPath}' does not exist`, {
        cause: error,
      });
    }
    throw error;
  }
}

async function describeAt(
  url: string,
  { fsConfig, configDir }: DescribeOptions,
  recordedPath: string,
  recordedFsConfig: Record<string, string> | undefined,
): Promise<UrlSourceState> {
  if (isS3Url(url)) {
    const { downloadS3, s3SourceInfo } = await import("./s3Source.js");
    const options = {
      ...(fsConfig !== undefined ? { fsConfig } : {}),
      ...(configDir !== undefined ? { configDir } : {}),
    };
    const info = await s3SourceInfo(url, options);
    const download = (dest: string, onBytes?: (bytes: number) => void): Promise<void> =>
      downloadS3(url, info, dest, onBytes, options);
    if (info.kind === "file") {
      return {
        dep: depEntry({ etag: info.etag, size: info.size }, recordedPath, recordedFsConfig),
        identity: { field: "etag", value: info.etag },
        download,
      };
    }
    const md5 = `${info.treeMd5}.dir`;
    return {
      dep: depEntry({ md5, size: info.size, nfiles: info.files.length }, recordedPath, recordedFsConfig),
      identity: { field: "md5", value: md5 },
      download,
    };
  }
  if (!isHttpUrl(url)) {
    throw new FlowOpsError("INVALID_PARAMETER_VALUE", `'${url}': flowops reads http(s) and s3 URLs only`);
  }
  if (fsConfig !== undefined && Object.keys(fsConfig).length > 0) {
    // dvc's http options (auth, custom headers...) would be recorded here and then not applied.
    throw new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      `'${url}': flowops does not apply --fs-config to http(s) sources yet (given: ${Object.keys(fsConfig).join(", ")})`,
    );
  }
  const { downloadHttp, httpSourceInfo } = await import("./httpSource.js");
  const info = await httpSourceInfo(url);
  return {
    dep: depEntry(
      { checksum: info.checksum, ...(info.size !== undefined ? { size: info.size } : {}) },
      recordedPath,
      recordedFsConfig,
    ),
    identity: { field: "checksum", value: info.checksum },
    download: async (dest, onBytes) => {
      await downloadHttp(url, dest, onBytes);
    },
  };
}

/** Whether the recorded dep still describes the source (dvc's `changed_checksum`, by one field). */
export function sameSource(recorded: DvcOut, now: UrlSourceState): boolean {
  return (recorded as Record<string, unknown>)[now.identity.field] === now.identity.value;
}
