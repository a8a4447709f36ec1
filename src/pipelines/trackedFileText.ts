/**
 * The text of a pipeline file as dvc's DVCFileSystem sees it, for `metrics show|diff`: from Git at a revision
 * (or the workspace), and, when Git does not hold it because it is a cached stage out (metrics are cached by
 * default and git-ignored), from the DVC cache by the md5 that revision's dvc.lock records. The object is
 * verified before it is read.
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

  /** A cached stage out that Git does not hold, from the DVC cache by the md5 dvc.lock records at `rev`. */
  private async readCachedOut(path: string, rev: Revision, pipeline: Pipeline): Promise<Buffer | undefined> {
    const owner = pipeline.stages.find((stage) =>
      stageOuts(stage).some((out) => out.cache && stagePath(stage, out.path) === path),
    );
    if (owner === undefined) return undefined;
    const md5 = await this.lockedMd5(pipeline.root, owner, path, rev);
    if (md5 === undefined || isDirOid(md5)) return undefined;
    this.repo ??= await openDataRepo(this.root);
    try {
      return await readFile(await this.repo.cache.verifiedPath(md5));
    } catch {
      return undefined;
    }
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
