/**
 * Artifact store on the local filesystem, rooted at one directory. Every path is checked twice: lexically
 * (assertSafeRelativePath) and physically (the realpath of the nearest existing ancestor must lie inside
 * the realpath of the root), so neither `..` nor a symlink planted inside the root can reach other files.
 * Writes go to a temp file in the target directory and are renamed into place, so readers never see a
 * partial file. It must not follow a symlink out of the root, for reading, listing or deleting.
 */
import { randomUUID } from "node:crypto";
import { constants, createWriteStream } from "node:fs";
import { lstat, mkdir, open, readdir, realpath, rename, rm, stat } from "node:fs/promises";
import { dirname, join, resolve, sep } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { pathToFileURL } from "node:url";
import { FlowOpsError, invalidParameter, notFound } from "../errors.js";
import { assertSafeRelativePath } from "./pathSafety.js";
import { joinArtifactPath, type ArtifactEntry, type ArtifactStat, type LocalPathStore } from "./store.js";

/** Names of in-flight uploads; hidden from listings so a half-written file is never offered. */
const PARTIAL_PREFIX = ".flowops-partial-";

export class LocalArtifactStore implements LocalPathStore {
  readonly rootUri: string;
  private readonly root: string;
  private realRootPromise: Promise<string> | undefined;

  constructor(root: string) {
    this.root = resolve(root);
    this.rootUri = pathToFileURL(this.root).href;
  }

  async write(path: string, body: Readable): Promise<void> {
    const rel = assertSafeRelativePath(path);
    if (rel === "") throw invalidParameter("An artifact path is required to write a file.");
    const target = await this.resolveChecked(rel);
    const dir = dirname(target);
    await mkdir(dir, { recursive: true }).catch((error: unknown) => {
      throw fsError(error, path);
    });
    // mkdir walks the path again; a symlink swapped in meanwhile must not redirect the write.
    await this.assertInsideRoot(await realpath(dir), path);
    const partial = join(dir, `${PARTIAL_PREFIX}${randomUUID()}`);
    try {
      await pipeline(body, createWriteStream(partial, { flags: "wx" }));
      await rename(partial, target);
    } catch (error) {
      await rm(partial, { force: true });
      throw fsError(error, path);
    }
  }

  async read(path: string): Promise<Readable> {
    const target = await this.resolveChecked(assertSafeRelativePath(path));
    // O_NOFOLLOW: the checked path has its symlinks resolved already, so a link here appeared after the check.
    const handle = await open(target, constants.O_RDONLY | constants.O_NOFOLLOW).catch((error: unknown) => {
      throw isMissing(error) ? notFound(`Artifact '${path}' does not exist.`) : fsError(error, path);
    });
    const info = await handle.stat();
    if (!info.isFile()) {
      await handle.close();
      throw notFound(`Artifact '${path}' does not exist.`);
    }
    return handle.createReadStream();
  }

  async list(dir: string): Promise<ArtifactEntry[]> {
    const rel = assertSafeRelativePath(dir);
    const target = await this.resolveChecked(rel);
    const info = await stat(target).catch(() => undefined);
    if (info === undefined || !info.isDirectory()) return [];
    const children = await readdir(target, { withFileTypes: true }).catch((error: unknown) => {
      if (isMissing(error)) return [];
      throw error;
    });
    const entries: ArtifactEntry[] = [];
    for (const child of children) {
      if (child.name.startsWith(PARTIAL_PREFIX)) continue;
      const childPath = join(target, child.name);
      // An entry deleted between readdir and lstat (a concurrent DELETE) is simply no longer listed.
      const childInfo = child.isSymbolicLink()
        ? await this.statInsideRoot(childPath)
        : await lstat(childPath).catch((error: unknown) => {
            if (isMissing(error)) return undefined;
            throw error;
          });
      if (childInfo === undefined) continue;
      const path = joinArtifactPath(rel, child.name);
      if (childInfo.isDirectory()) entries.push({ path, is_dir: true });
      else if (childInfo.isFile()) entries.push({ path, is_dir: false, file_size: childInfo.size });
    }
    return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  async stat(path: string): Promise<ArtifactStat | undefined> {
    const target = await this.resolveChecked(assertSafeRelativePath(path));
    const info = await stat(target).catch(() => undefined);
    if (info === undefined) return undefined;
    if (info.isDirectory()) return { is_dir: true };
    return info.isFile() ? { is_dir: false, file_size: info.size } : undefined;
  }

  async delete(path: string): Promise<void> {
    const rel = assertSafeRelativePath(path);
    if (rel === "") {
      const root = await this.realRoot();
      for (const child of await readdir(root)) await rm(join(root, child), { recursive: true, force: true });
      return;
    }
    // Refuses an escaping symlink, then removes the link itself rather than what it points to.
    await this.resolveChecked(rel);
    const slash = rel.lastIndexOf("/");
    const parent = await this.resolveChecked(slash === -1 ? "" : rel.slice(0, slash));
    await rm(join(parent, rel.slice(slash + 1)), { recursive: true, force: true });
  }

  async localPath(path: string): Promise<string> {
    return this.resolveChecked(assertSafeRelativePath(path));
  }

  private realRoot(): Promise<string> {
    this.realRootPromise ??= mkdir(this.root, { recursive: true }).then(() => realpath(this.root));
    return this.realRootPromise;
  }

  /**
   * The physical path of a checked relative path: symlinks in its existing part resolved and required to
   * stay inside the root; the part that does not exist yet appended as is.
   */
  private async resolveChecked(rel: string): Promise<string> {
    const root = await this.realRoot();
    const segments = rel === "" ? [] : rel.split("/");
    for (let existing = segments.length; existing >= 0; existing--) {
      const probe = join(root, ...segments.slice(0, existing));
      let real: string;
      try {
        real = await realpath(probe);
      } catch (error) {
        if (!isMissing(error)) throw fsError(error, rel);
        // A dangling link is a link whose target we cannot check; refuse it rather than guess.
        const link = await lstat(probe).catch(() => undefined);
        if (link?.isSymbolicLink()) throw escapes(rel);
        continue;
      }
      await this.assertInsideRoot(real, rel);
      return join(real, ...segments.slice(existing));
    }
    return root;
  }

  private async assertInsideRoot(real: string, path: string): Promise<void> {
    const root = await this.realRoot();
    if (real !== root && !real.startsWith(root + sep)) throw escapes(path);
  }

  /** stat() of a symlinked child when its target stays inside the root; undefined otherwise (never followed). */
  private async statInsideRoot(childPath: string) {
    const real = await realpath(childPath).catch(() => undefined);
    if (real === undefined) return undefined;
    const root = await this.realRoot();
    if (real !== root && !real.startsWith(root + sep)) return undefined;
    return stat(real).catch(() => undefined);
  }
}

function escapes(path: string): FlowOpsError {
  return invalidParameter(
    `Invalid value ${JSON.stringify(path)} for parameter 'path': it resolves outside the artifact root.`,
  );
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === "ENOENT" || code === "ENOTDIR";
}

/** Filesystem failures a client can cause become MLflow codes; anything else stays an internal error. */
function fsError(error: unknown, path: string): unknown {
  if (error instanceof FlowOpsError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case "ENOENT":
      return notFound(`Artifact '${path}' does not exist.`);
    case "ELOOP":
      return escapes(path);
    case "ENAMETOOLONG":
      return invalidParameter(
        `Invalid value ${JSON.stringify(path)} for parameter 'path': a name in it is longer than the file system allows.`,
      );
    case "EISDIR":
    case "ENOTEMPTY":
    case "ENOTDIR":
    case "EEXIST":
      return invalidParameter(`Artifact path '${path}' conflicts with an existing file or directory.`);
    default:
      return error;
  }
}
