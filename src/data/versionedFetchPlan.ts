/**
 * How one versioned import's out is fetched from its source: the downloads it needs, which the caller runs
 * side by side under `--jobs` with those of every other out, and a `finish` step run after them that puts
 * only verified bytes into the cache. A file's bytes must hash to its oid (checked in a temp file before the
 * rename); a directory fetched whole is downloaded into a temp folder and its rebuilt manifest must hash to the
 * recorded out. An out that records no hash yet (`--no-download`) is hashed as it arrives, whatever the hash.
 * It must not read a remote, nor decide what counts as a failure's wording (versionedFetch.ts does).
 */
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { join, posix } from "node:path";
import { FlowOpsError } from "../errors.js";
import type { DataRepo } from "./dataRepo.js";
import { dirManifestOid, serializeDirManifest } from "./dirManifest.js";
import type { DirEntry, Oid } from "./hashInfo.js";
import { md5File } from "./md5File.js";
import type { S3ObjectReader, S3SourceFile } from "./s3Source.js";
import type { TransferEvent, TransferFailure, TransferResult } from "./transferObjects.js";
import type { UsedObject, VersionedImportSource } from "./usedObjects.js";

export type VersionedFetchRepo = Pick<DataRepo, "root" | "dvcDir" | "config" | "cache" | "tmpDir">;

/** One versioned out and the objects of it that were asked for; `outMd5` is absent before its first fetch. */
export interface OutRequest {
  source: Omit<VersionedImportSource, "outMd5"> & { outMd5?: Oid };
  dvcFile: string;
  objects: Map<Oid, UsedObject>;
}

/** What reading one out's source needs: its URL, a reader shared by its downloads, and where events go. */
export interface SourceRead {
  url: string;
  request: OutRequest;
  reader: () => Promise<S3ObjectReader>;
  onProgress: (event: TransferEvent) => void;
  /** A failure for an object whose download or check failed. */
  failure: (oid: Oid, path: string, error: unknown) => TransferFailure;
  /** A failure for an object the dep does not describe well enough to read it at a version. */
  unrecorded: (oid: Oid, path: string, relpath?: string) => TransferFailure;
}

export interface PlannedOut {
  /** Each download catches its own failure; none depends on another. */
  downloads: (() => Promise<void>)[];
  /** After every download: what the out came to, and for an unhashed out the hash it has now. */
  finish: () => Promise<TransferResult & { outMd5?: Oid }>;
}

export const emptyResult = (): TransferResult => ({ transferred: 0, skipped: 0, failed: [], bytes: 0 });

/** A plan with nothing to download. */
export function settled(result: TransferResult): PlannedOut {
  return { downloads: [], finish: () => Promise.resolve(result) };
}

/** Each wanted file the cache lacks is downloaded into a temp file beside its object, kept if its md5 is the oid. */
export async function planFiles(
  repo: VersionedFetchRepo,
  read: SourceRead,
  wanted: readonly { oid: Oid; file: S3SourceFile | undefined; relpath?: string }[],
): Promise<PlannedOut> {
  const result = emptyResult();
  const downloads: (() => Promise<void>)[] = [];
  read.onProgress({ type: "planned", total: wanted.length });
  for (const { oid, file, relpath } of wanted) {
    const path = read.request.objects.get(oid)?.path ?? read.request.source.outPath;
    if (await repo.cache.verify(oid)) {
      result.skipped += 1;
      read.onProgress({ type: "object", oid, ok: true, bytes: 0 });
      continue;
    }
    if (file === undefined) {
      result.failed.push(read.unrecorded(oid, path, relpath));
      read.onProgress({ type: "object", oid, ok: false, bytes: 0 });
      continue;
    }
    downloads.push(async () => {
      const temp = await repo.cache.openTempFile(oid);
      try {
        await (await read.reader()).download(file, temp.path);
        await temp.commit();
        result.transferred += 1;
        result.bytes += file.size;
        read.onProgress({ type: "object", oid, ok: true, bytes: file.size });
      } catch (error) {
        await temp.abort();
        result.failed.push(read.failure(oid, path, error));
        read.onProgress({ type: "object", oid, ok: false, bytes: 0 });
      }
    });
  }
  return { downloads, finish: () => Promise.resolve(result) };
}

/**
 * Every recorded file read at its version into a temp folder; `finish` hashes them and, for a directory, rebuilds
 * the manifest, which must be the recorded out's when there is one, before anything enters the cache. `files`
 * holds one entry with relpath "" for an out that is a single object.
 */
export async function planWholeOut(
  repo: VersionedFetchRepo,
  read: SourceRead,
  files: readonly S3SourceFile[],
  kind: "file" | "directory",
): Promise<PlannedOut> {
  const { outMd5, outPath } = read.request.source;
  const display = kind === "directory" ? `${outPath}/` : outPath;
  await mkdir(repo.tmpDir, { recursive: true });
  const temp = await mkdtemp(join(repo.tmpDir, "flowops-versioned-fetch-"));
  const local = (file: S3SourceFile): string =>
    file.relpath === "" ? join(temp, "object") : join(temp, "files", ...file.relpath.split("/"));
  const errors: unknown[] = [];
  read.onProgress({ type: "planned", total: files.length });
  const downloads = files.map((file) => async () => {
    try {
      await (await read.reader()).download(file, local(file));
    } catch (error) {
      errors.push(error);
    }
  });
  const finish = async (): Promise<TransferResult & { outMd5?: Oid }> => {
    try {
      if (errors.length > 0) throw errors[0];
      const entries: DirEntry[] = [];
      for (const file of files)
        entries.push({ relpath: file.relpath, md5: (await md5File(local(file))).md5 });
      const manifest = kind === "directory" ? serializeDirManifest(entries) : undefined;
      const oid = manifest === undefined ? (entries[0]?.md5 ?? "") : dirManifestOid(manifest);
      if (outMd5 !== undefined && oid !== outMd5) {
        throw new FlowOpsError(
          "DATA_LOSS",
          `the files at the recorded versions hash to ${oid}, not to the recorded ${outMd5}`,
        );
      }
      for (const [index, entry] of entries.entries()) {
        const file = files[index] as S3SourceFile;
        if (!(await repo.cache.has(entry.md5)))
          await repo.cache.addFile(local(file), entry.md5, { move: true });
        read.onProgress({ type: "object", oid: entry.md5, ok: true, bytes: file.size });
      }
      if (manifest !== undefined) await repo.cache.addBytes(oid, manifest);
      const bytes = files.reduce((sum, file) => sum + file.size, 0);
      return { transferred: files.length, skipped: 0, bytes, failed: [], outMd5: oid };
    } catch (error) {
      return { ...emptyResult(), failed: [read.failure(outMd5 ?? UNKNOWN_OID, display, error)] };
    } finally {
      await rm(temp, { recursive: true, force: true });
    }
  };
  return { downloads, finish };
}

/** The oid shown for an out that records none yet, as dvc prints a missing hash. */
export const UNKNOWN_OID = "None";

/**
 * The files of a directory out asked for by path, each by its relpath in the recorded `files`, when the
 * manifest is already in the cache.
 */
export function wantedByRelpath(
  request: OutRequest,
  files: readonly S3SourceFile[] | undefined,
): { oid: Oid; file: S3SourceFile | undefined; relpath: string }[] {
  const byRelpath = new Map(files?.map((file) => [file.relpath, file]));
  return [...request.objects]
    .filter(([oid]) => oid !== request.source.outMd5)
    .map(([oid, owner]) => {
      const relpath = posix.relative(request.source.outPath, owner.path);
      return { oid, file: byRelpath.get(relpath), relpath };
    });
}
