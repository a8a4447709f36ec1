/**
 * A source that `import-url` reads through a client of its own rather than the file system: http(s)
 * (httpSource.ts) and s3 (s3Source.ts). Each answers what dvc records for it now (the dep entry, in dvc's key
 * order) and the one field dvc compares to tell a changed source, then downloads what it described.
 * `status`, `update` and `repro` ask the same question, so all of them agree with dvc on what changed.
 */
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

/** What the source is now; RESOURCE_DOES_NOT_EXIST with dvc's sentence when it is gone. */
export async function describeUrlSource(url: string): Promise<UrlSourceState> {
  if (isS3Url(url)) {
    const { downloadS3, s3SourceInfo } = await import("./s3Source.js");
    const info = await s3SourceInfo(url);
    const download = (dest: string, onBytes?: (bytes: number) => void): Promise<void> =>
      downloadS3(url, info, dest, onBytes);
    if (info.kind === "file") {
      return {
        dep: { etag: info.etag, size: info.size, hash: "md5", path: url } as unknown as DvcOut,
        identity: { field: "etag", value: info.etag },
        download,
      };
    }
    const md5 = `${info.treeMd5}.dir`;
    return {
      dep: { md5, size: info.size, nfiles: info.files.length, hash: "md5", path: url } as DvcOut,
      identity: { field: "md5", value: md5 },
      download,
    };
  }
  const { downloadHttp, httpSourceInfo } = await import("./httpSource.js");
  const info = await httpSourceInfo(url);
  return {
    dep: {
      checksum: info.checksum,
      ...(info.size !== undefined ? { size: info.size } : {}),
      hash: "md5",
      path: url,
    } as unknown as DvcOut,
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
