/**
 * The md5 of each file a walk finds: from the state when the file's (inode, mtime, size) still match, else
 * hashed on the pool and recorded in the state. Files are handed to the pool as they are added, so hashing
 * a directory never seen before starts while its walk is still going.
 */
import type { Stats } from "node:fs";
import { FlowOpsError } from "../errors.js";
import { HashPool, type HashStream } from "./hashPool.js";
import { statToken } from "./hashState.js";
import type { HashContext } from "./hashTree.js";

/**
 * A file of a walk, reduced at once to what hashing needs: holding 10k stat objects (each with a dozen
 * BigInts and Dates) through a walk made garbage collection a large part of an unchanged `status`.
 */
export interface FoundFile {
  abs: string;
  relpath: string;
  /** The state's (inode, mtime, size) token. */
  token: string;
  size: number;
  isexec: boolean;
}

const EXECUTABLE_BITS = 0o111;

export function foundFile(abs: string, relpath: string, st: Stats): FoundFile {
  return {
    abs,
    relpath,
    token: statToken(st),
    size: Number(st.size),
    isexec: (st.mode & EXECUTABLE_BITS) !== 0,
  };
}

export class FileDigests {
  private readonly digests = new Map<FoundFile, string>();
  /** Files sent to the pool, in the order of the stream's results. */
  private readonly hashing: FoundFile[] = [];
  private stream: HashStream | undefined;
  private hits = 0;

  constructor(private readonly ctx: Pick<HashContext, "state" | "pool" | "onProgress">) {}

  add(file: FoundFile): void {
    const known = this.ctx.state?.lookup(file.abs, file.token);
    if (known !== undefined) {
      this.digests.set(file, known);
      this.hits++;
      return;
    }
    if (this.stream === undefined) {
      const onProgress = this.ctx.onProgress;
      this.stream = (this.ctx.pool ?? HashPool.shared()).openStream(
        onProgress === undefined ? undefined : (bytes) => onProgress(bytes, 0),
      );
    }
    this.stream.add(file.abs, file.size);
    this.hashing.push(file);
  }

  /** Waits for every file added to be hashed, and records each in the state. */
  async finish(): Promise<void> {
    if (this.hits > 0) this.ctx.onProgress?.(0, this.hits);
    if (this.stream === undefined) return;
    const results = await this.stream.end();
    this.hashing.forEach((file, position) => {
      const { md5, stamp } = results[position]!;
      this.digests.set(file, md5);
      // Record only when the file did not change while it was read (its stamp, an fstat taken after reading,
      // still matches the walk's stat); otherwise the next run rehashes it.
      if (statToken(stamp) === file.token) this.ctx.state?.record(file.abs, file.token, md5);
    });
    this.ctx.onProgress?.(0, this.hashing.length);
  }

  /** Stops hashing what is not sent yet: the walk failed and nobody will ask. */
  cancel(reason: unknown): void {
    this.stream?.cancel(reason);
  }

  /** The md5 of a file added before `finish()`. */
  of(file: FoundFile): string {
    const digest = this.digests.get(file);
    if (digest === undefined) throw new FlowOpsError("INTERNAL_ERROR", `${file.abs}: not hashed`);
    return digest;
  }
}
