/**
 * The text of a pipeline file as dvc's DVCFileSystem sees it, for `metrics show|diff` and `plots`: from Git at a
 * revision (or the workspace), and, when Git does not hold it because it is cached (metrics are cached by
 * default and git-ignored), from the DVC cache: a stage out by the md5 that revision's dvc.lock records, a
 * `.dvc` file's out by its own md5, a file inside a directory out through the manifest. Objects are verified
 * before they are read.
 */
import { readFile } from "node:fs/promises";
import { posix, relative, sep } from "node:path";
import { closeDataRepo, openDataRepo, type DataRepo } from "../data/dataRepo.js";
import { isDirOid } from "../data/hashInfo.js";
import { LOCK_FILE, parseLock, stageLockDir } from "./dvcLock.js";
import type { Pipeline, Stage } from "./dvcYaml.js";
import { stagePath } from "./pipelineDag.js";
import { readAtRevision, readBytesAtRevision, revisionLabel, type Revision } from "./revisionFiles.js";
import { stageOuts } from "./stageStatus.js";

/** Reads files of one repository; `close()` releases the DVC cache when it was opened. */
export class TrackedFileReader {
  private repo: DataRepo | undefined;

  constructor(private readonly root: string) {}

  /**
   * The text of `path` (repo-relative, POSIX) at `rev`, whose stages are `pipeline`'s; undefined when neither
   * Git nor the cache has it.
   */
  async read(path: string, rev: Revision, pipeline: Pipeline | undefined): Promise<string | undefined> {
    const text = await readAtRevision(this.root, path, rev);
    if (text !== undefined || pipeline === undefined) return text;
    return (await this.readCachedOut(path, rev, pipeline))?.toString("utf8");
  }

  /** `read` as bytes, for files that need not be text (a plot's image). */
  async readBytes(path: string, rev: Revision, pipeline: Pipeline | undefined): Promise<Buffer | undefined> {
    const bytes = await readBytesAtRevision(this.root, path, rev);
    if (bytes !== undefined || pipeline === undefined) return bytes;
    return this.readCachedOut(path, rev, pipeline);
  }

  /**
   * A file Git does not hold because it is cached: a stage out (by the md5 dvc.lock records at `rev`), a `.dvc`
   * file's out, or a file inside either kind of directory out (through its `.dir` manifest).
   */
  private async readCachedOut(path: string, rev: Revision, pipeline: Pipeline): Promise<Buffer | undefined> {
    const found = await this.cachedOutHolding(path, rev, pipeline);
    if (found === undefined) return undefined;
    try {
      let oid: string | undefined = found.oid;
      if (path !== found.outPath) {
        if (!isDirOid(oid)) return undefined;
        const relpath = path.slice(found.outPath.length + 1);
        oid = (await (await this.cache()).readDirManifest(oid)).find(
          (entry) => entry.relpath === relpath,
        )?.md5;
      }
      if (oid === undefined || isDirOid(oid)) return undefined;
      return await readFile(await (await this.cache()).verifiedPath(oid));
    } catch {
      return undefined;
    }
  }

  /**
   * The files (repo-relative, sorted) under `path` in a cached directory out at `rev`, from its manifest;
   * undefined when no cached directory holds `path` or its manifest is not in the cache.
   */
  async listCachedFiles(
    path: string,
    rev: Revision,
    pipeline: Pipeline | undefined,
  ): Promise<string[] | undefined> {
    if (pipeline === undefined) return undefined;
    const found = await this.cachedOutHolding(path, rev, pipeline);
    if (found === undefined || !isDirOid(found.oid)) return undefined;
    let entries;
    try {
      entries = await (await this.cache()).readDirManifest(found.oid);
    } catch {
      return undefined;
    }
    const files = entries.map((entry) => `${found.outPath}/${entry.relpath}`);
    const under = path === found.outPath ? files : files.filter((file) => file.startsWith(`${path}/`));
    return under.length > 0 ? under.sort() : undefined;
  }

  private async cache(): Promise<DataRepo["cache"]> {
    this.repo ??= await openDataRepo(this.root);
    return this.repo.cache;
  }

  /** The cached out (its repo path and oid at `rev`) that is `path` or a directory holding it. */
  private async cachedOutHolding(
    path: string,
    rev: Revision,
    pipeline: Pipeline,
  ): Promise<{ outPath: string; oid: string } | undefined> {
    const holds = (outPath: string): boolean => path === outPath || path.startsWith(`${outPath}/`);
    for (const stage of pipeline.stages) {
      for (const out of stageOuts(stage)) {
        const outPath = stagePath(stage, out.path);
        if (!out.cache || !holds(outPath)) continue;
        const oid = await this.lockedMd5(pipeline.root, stage, outPath, rev);
        return oid === undefined ? undefined : { outPath, oid };
      }
    }
    for (const tracked of pipeline.trackedOuts ?? []) {
      const outPath = relative(pipeline.root, tracked.abs).split(sep).join("/");
      if (holds(outPath) && tracked.out.md5 !== undefined) return { outPath, oid: tracked.out.md5 };
    }
    return undefined;
  }

  close(): void {
    if (this.repo !== undefined) closeDataRepo(this.repo);
    this.repo = undefined;
  }

  /** The md5 the dvc.lock beside `stage`'s dvc.yaml records at `rev` for the out at `path`. */
  private async lockedMd5(
    pipelineRoot: string,
    stage: Stage,
    path: string,
    rev: Revision,
  ): Promise<string | undefined> {
    // Relative to the root the pipeline was read from: a revision's is a temporary copy (revisionPipelines.ts).
    const lockDir = relative(pipelineRoot, stageLockDir(stage)).split(sep).join("/");
    const lockPath = posix.join(lockDir, LOCK_FILE);
    const text = await readAtRevision(this.root, lockPath, rev);
    if (text === undefined) return undefined;
    let entry;
    try {
      entry = parseLock(`${revisionLabel(rev)}:${lockPath}`, text).stages.get(stage.lockName);
    } catch {
      return undefined;
    }
    return entry?.outs.find((out) => stagePath(stage, out.path) === path)?.md5;
  }
}
