/**
 * A view of a store below one directory, so code working on a run's or model's files sees paths relative
 * to that root (as MLflow's run-scoped artifact repositories do). The prefix is checked once here and
 * every path again by the inner store, so the view cannot reach files beside its root.
 */
import type { Readable } from "node:stream";
import { assertSafeRelativePath } from "./pathSafety.js";
import {
  joinArtifactPath,
  supportsLocalPaths,
  supportsRangedRead,
  type ArtifactEntry,
  type ArtifactStat,
  type ArtifactStore,
  type LocalPathStore,
  type RangedReadStore,
} from "./store.js";

class ScopedArtifactStore implements ArtifactStore {
  constructor(
    protected readonly inner: ArtifactStore,
    protected readonly prefix: string,
    readonly rootUri: string,
  ) {}

  async write(path: string, body: Readable): Promise<void> {
    return this.inner.write(this.inside(path), body);
  }

  async read(path: string): Promise<Readable> {
    return this.inner.read(this.inside(path));
  }

  async list(dir: string): Promise<ArtifactEntry[]> {
    const cut = this.prefix === "" ? 0 : this.prefix.length + 1;
    const entries = await this.inner.list(this.inside(dir));
    return entries.map((entry) => ({ ...entry, path: entry.path.slice(cut) }));
  }

  async stat(path: string): Promise<ArtifactStat | undefined> {
    return this.inner.stat(this.inside(path));
  }

  async delete(path: string): Promise<void> {
    return this.inner.delete(this.inside(path));
  }

  protected inside(path: string): string {
    return joinArtifactPath(this.prefix, assertSafeRelativePath(path));
  }
}

class ScopedLocalPathStore extends ScopedArtifactStore implements LocalPathStore {
  async localPath(path: string): Promise<string> {
    return (this.inner as LocalPathStore).localPath(this.inside(path));
  }
}

class ScopedRangedReadStore extends ScopedArtifactStore implements RangedReadStore {
  async readRange(path: string, start: number, end: number, ifMatch?: string): Promise<Readable> {
    return (this.inner as RangedReadStore).readRange(this.inside(path), start, end, ifMatch);
  }
}

/** The part of `store` below `prefix`, keeping the inner store's capabilities. */
export function scopeArtifactStore(store: ArtifactStore, prefix: string, rootUri: string): ArtifactStore {
  const safePrefix = assertSafeRelativePath(prefix, "prefix");
  if (safePrefix === "") return store;
  if (supportsLocalPaths(store)) return new ScopedLocalPathStore(store, safePrefix, rootUri);
  if (supportsRangedRead(store)) return new ScopedRangedReadStore(store, safePrefix, rootUri);
  return new ScopedArtifactStore(store, safePrefix, rootUri);
}
