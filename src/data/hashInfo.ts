/**
 * What DVC records about a file or directory's content. DVC 3 writes `hash: md5` and plain md5 of the bytes;
 * a directory's md5 is that of its `.dir` manifest with the `.dir` suffix, and its size is the sum of its
 * files' sizes. Every module that hashes, caches or compares content speaks these types.
 */

/** 32 lower-case hex digits, optionally followed by `.dir` for a directory manifest. */
export type Oid = string;

export interface HashInfo {
  md5: Oid;
  size: number;
  /** Directories only: how many files the manifest lists. */
  nfiles?: number;
  /** Files only, when the executable bit is set (DVC writes `isexec: true`). */
  isexec?: boolean;
}

/** One file of a directory manifest; `relpath` is POSIX, relative to the directory. */
export interface DirEntry {
  relpath: string;
  md5: Oid;
  /** Known when hashed from the workspace; absent when read back from a `.dir` object. */
  size?: number;
  isexec?: boolean;
}

const OID = /^[0-9a-f]{32}(\.dir)?$/;

export function isOid(value: string): boolean {
  return OID.test(value);
}

export function isDirOid(oid: Oid): boolean {
  return oid.endsWith(".dir");
}

/** DVC 3's cache and remote fan-out: `files/md5/ab/cdef...` (the `.dir` suffix stays on the file name). */
export function objectKey(oid: Oid): string {
  return `files/md5/${oid.slice(0, 2)}/${oid.slice(2)}`;
}

/** DVC 2's layout, without the `files/md5/` prefix, for reading caches and remotes written by DVC 2. */
export function legacyObjectKey(oid: Oid): string {
  return `${oid.slice(0, 2)}/${oid.slice(2)}`;
}
