/**
 * Which cache objects a repo uses: the outs of its `.dvc` files and of every `dvc.lock` (outs declared
 * `cache: false` in dvc.yaml excluded), with directories expanded through their verified manifests (the
 * manifest oid included). Push, fetch and gc all start here; gc also asks which objects git history uses.
 * It reads only: it never fetches a missing manifest (pushPull does that and asks again).
 */
import { existsSync } from "node:fs";
import { posix, resolve } from "node:path";
import { FlowOpsError, toFlowOpsError } from "../errors.js";
import type { DataRepo } from "./dataRepo.js";
import { findDvcFiles, readDvcFile, type DvcFileDoc, type DvcOut } from "./dvcFile.js";
import { isDirOid, type Oid } from "./hashInfo.js";
import { lockOuts } from "./lockOuts.js";
import { relPosix } from "./repoPosixPath.js";
import { unmatchedTarget } from "./unmatchedTarget.js";
import type { ObjectOwner } from "./transferObjects.js";
import { isVersionedImport } from "./versionedS3Source.js";

export interface UsedObject extends ObjectOwner {
  /** The out's own remote (`remote:`), used when no remote is named on the command line. */
  remote?: string;
  /** false when the out says `push: false`: fetched, never pushed. */
  push?: boolean;
  /** On a directory object whose manifest could not be read, so its files are unknown yet. */
  unexpanded?: "missing" | "corrupt";
  /** A file a directory's manifest lists, not an out's own object: fetch fails on it where it warns on those. */
  inDirectory?: true;
  /** The out is a versioned import's: its objects come from the source at the recorded versions. */
  versionedImport?: VersionedImportSource;
}

/**
 * Where the objects of a versioned import's out (dvc's `is_versioned_import`) come from: dvc's fetch reads
 * them from the dep's version-aware filesystem, never from a remote, which never holds them (`push: false`).
 */
export interface VersionedImportSource {
  /** The dep as recorded: its s3:// URL, `fs_config`, and an object's `version_id` or a prefix's `files`. */
  dep: DvcOut;
  /** The out's path (POSIX, from the root) and object: a directory's files are found by their relpath in it. */
  outPath: string;
  outMd5: Oid;
}

/** One cached out: where it is declared and what content it names. Paths are POSIX, relative to the root. */
export interface TrackedOut {
  dvcFile: string;
  path: string;
  md5: Oid;
  /** The pipeline stage for outs from dvc.lock: `train`, or `sub/dvc.yaml:train` below the root. */
  stage?: string;
  /** dvc.lock's `isexec` for the out. */
  isexec?: boolean;
  remote?: string;
  push?: boolean;
  /** No `hash: md5`: a DVC 2 entry, whose objects DVC keeps in the remote's legacy layout. */
  legacy?: boolean;
  /** The out's recorded size in bytes (a directory's total), when its file records one. */
  size?: number;
  /** Declared under a stage's `metrics` or `plots` (`fetch --type`). */
  kind?: "metrics" | "plots";
  /**
   * For a directory named by a path inside it: only the files at or under these relpaths are used, and the
   * manifest itself only while it is needed to list them (not yet in the cache).
   */
  within?: string[];
  /** The dep of a versioned import, whose out this is (`.dvc` files only). */
  versionedDep?: DvcOut;
}

export type UsedRepo = Pick<DataRepo, "root" | "cache" | "ignore">;

/**
 * All objects used by the workspace's `.dvc` files and `dvc.lock`, or only by the outs `targets` select;
 * `keep` leaves outs out before they are expanded (`fetch --max-size/--type`).
 */
export async function usedObjects(
  repo: UsedRepo,
  targets?: readonly string[],
  keep?: (out: TrackedOut) => boolean,
): Promise<Map<Oid, UsedObject>> {
  const outs = await trackedOuts(repo);
  const selected = targets === undefined || targets.length === 0 ? outs : selectOuts(repo, outs, targets);
  return expandOuts(repo, keep === undefined ? selected : selected.filter(keep));
}

/**
 * dvc's `targets_view` filter for `fetch --max-size/--type`: an out whose recorded size is `maxSize` bytes or
 * more is left out (an unknown size is not), and with `types` only metrics or plots outs are kept.
 */
export function outsFilter(
  maxSize: number | undefined,
  types: readonly ("metrics" | "plots")[] | undefined,
): ((out: TrackedOut) => boolean) | undefined {
  if (maxSize === undefined && (types === undefined || types.length === 0)) return undefined;
  return (out) =>
    !(
      maxSize !== undefined &&
      maxSize > 0 &&
      out.size !== undefined &&
      out.size > 0 &&
      out.size >= maxSize
    ) &&
    (types === undefined || types.length === 0 || (out.kind !== undefined && types.includes(out.kind)));
}

/** The cached outs of every `.dvc` file and `dvc.lock`; `eachDvcFile` sees each parsed `.dvc` file (read once). */
export async function trackedOuts(
  repo: UsedRepo,
  eachDvcFile?: (doc: DvcFileDoc, relFile: string) => void,
): Promise<TrackedOut[]> {
  const outs: TrackedOut[] = [];
  for (const file of await findDvcFiles(repo)) {
    const doc = await readDvcFile(file, repo.root);
    const relFile = relPosix(repo.root, file);
    eachDvcFile?.(doc, relFile);
    outs.push(...dvcFileOuts(doc, relFile));
  }
  outs.push(...(await lockOuts(repo)));
  return outs;
}

/** The cached outs of one `.dvc` file; `relFile` is its POSIX path from the root (or `commit:path`). */
export function dvcFileOuts(doc: DvcFileDoc, relFile: string, label = relFile): TrackedOut[] {
  const base = posix.join(posix.dirname(relFile), doc.wdir ?? ".");
  const outs: TrackedOut[] = [];
  const versionedDep = isVersionedImport(doc) ? (doc.deps?.[0] as DvcOut) : undefined;
  for (const out of doc.outs) {
    if (out.cache === false || out.md5 === undefined) continue;
    outs.push({
      dvcFile: label,
      path: posix.join(base, out.path),
      md5: out.md5,
      ...(out.remote !== undefined ? { remote: out.remote } : {}),
      ...(out.push === false ? { push: false } : {}),
      ...(out.hash === undefined ? { legacy: true } : {}),
      ...(typeof out.size === "number" ? { size: out.size } : {}),
      ...(versionedDep !== undefined ? { versionedDep } : {}),
    });
  }
  return outs;
}

export interface SelectOutsOptions {
  /** False when the outs are a past revision's: the workspace's files say nothing about them. */
  workspaceOuts?: boolean;
  /** The directory relative targets (and bare stage names) are resolved from; the process's by default. */
  cwd?: string;
}

/**
 * The outs that `targets` name, as DVC accepts them: a `.dvc` file, a stage name (`train` or
 * `dvc.yaml:train`), a tracked path, a directory holding tracked paths, or a path inside a tracked
 * directory (which selects only those of its files, as DVC's granular targets do). Relative targets are
 * relative to `options.cwd`.
 */
export function selectOuts(
  repo: Pick<DataRepo, "root">,
  outs: readonly TrackedOut[],
  targets: readonly string[],
  options: SelectOutsOptions = {},
): TrackedOut[] {
  const { workspaceOuts = true, cwd = process.cwd() } = options;
  /** Per selected out: undefined for all of it, else the relpaths inside it that were asked for. */
  const selected = new Map<TrackedOut, string[] | undefined>();
  for (const target of targets) {
    const abs = resolve(cwd, target);
    const rel = relPosix(repo.root, abs);
    const stageName = stageTargetAddress(repo.root, cwd, target);
    const pipelineLock = rel.endsWith("dvc.yaml") ? `${rel.slice(0, -"dvc.yaml".length)}dvc.lock` : undefined;
    let matched = false;
    for (const out of outs) {
      const whole =
        out.dvcFile === rel ||
        (out.stage !== undefined && out.dvcFile === pipelineLock) ||
        out.stage === stageName ||
        out.path === rel ||
        rel === "" ||
        out.path.startsWith(`${rel}/`);
      const inside = !whole && isDirOid(out.md5) && rel.startsWith(`${out.path}/`);
      if (!whole && !inside) continue;
      matched = true;
      const previous = selected.get(out);
      if (whole || (selected.has(out) && previous === undefined)) selected.set(out, undefined);
      else selected.set(out, [...(previous ?? []), rel.slice(out.path.length + 1)]);
    }
    if (!matched) {
      // A `.dvc` file that is there but names no hashed out: an import made with --no-download or --no-exec.
      if (workspaceOuts && target.endsWith(".dvc") && existsSync(abs)) {
        throw new FlowOpsError(
          "INVALID_STATE",
          `'${target}' records no data yet (imported with --no-download or --no-exec); ` +
            `\`flowops data update ${target}\` brings it`,
        );
      }
      // A past revision's files are not on disk to say why, so it gets only the first half of dvc's words.
      if (workspaceOuts) throw unmatchedTarget(cwd, target).error;
      const message = target.endsWith(".dvc")
        ? `'${abs}' does not exist`
        : `'${target}' does not exist as an output or a stage name in 'dvc.yaml'`;
      throw new FlowOpsError("RESOURCE_DOES_NOT_EXIST", message);
    }
  }
  return [...selected].map(([out, within]) => (within === undefined ? out : { ...out, within }));
}

/**
 * The stage a target addresses, spelled as lock outs name stages (`train` at the root, `sub/dvc.yaml:train`
 * below it), as DVC resolves addresses: `file:name` names a stage of that dvc.yaml, a bare name one of the
 * dvc.yaml in `cwd` (the root's when `cwd` is outside the repo).
 */
export function stageTargetAddress(root: string, cwd: string, target: string): string {
  const colon = target.lastIndexOf(":");
  const file = colon < 0 ? "dvc.yaml" : target.slice(0, colon);
  const name = colon < 0 ? target : target.slice(colon + 1);
  // Called from outside the repo (a library caller), bare names mean the root's dvc.yaml.
  const base = relPosix(root, cwd).startsWith("..") ? root : cwd;
  const rel = relPosix(root, resolve(base, file));
  return rel === "dvc.yaml" ? name : `${rel}:${name}`;
}

/** Each out's object, and for a directory its manifest's files, owned by the first out naming them. */
export async function expandOuts(repo: Pick<DataRepo, "cache">, outs: readonly TrackedOut[]) {
  const used = new Map<Oid, UsedObject>();
  const add = (oid: Oid, owner: UsedObject): void => {
    if (!used.has(oid)) used.set(oid, owner);
  };
  for (const out of outs) {
    const owner = outOwner(out);
    if (!isDirOid(out.md5)) {
      add(out.md5, owner);
      continue;
    }
    if (!(await repo.cache.has(out.md5))) {
      add(out.md5, { ...owner, unexpanded: "missing" });
      continue;
    }
    try {
      const entries = await repo.cache.readDirManifest(out.md5);
      const within = out.within;
      const wanted = (relpath: string): boolean =>
        within === undefined || within.some((sub) => relpath === sub || relpath.startsWith(`${sub}/`));
      // As dvc, a path inside a directory still uses the directory's manifest: push sends it, so that a
      // later pull of that path can find the file through it.
      add(out.md5, owner);
      for (const entry of entries) {
        if (wanted(entry.relpath))
          add(entry.md5, { ...owner, path: posix.join(out.path, entry.relpath), inDirectory: true });
      }
    } catch (error) {
      const code = toFlowOpsError(error).code;
      add(out.md5, { ...owner, unexpanded: code === "DATA_LOSS" ? "corrupt" : "missing" });
    }
  }
  return used;
}

/** The owner an out gives its own object: where it is declared, its remote and whether it may be pushed. */
export function outOwner(out: TrackedOut): UsedObject {
  return {
    path: out.path,
    dvcFile: out.dvcFile,
    ...(out.remote !== undefined ? { remote: out.remote } : {}),
    ...(out.push === false ? { push: false } : {}),
    ...(out.legacy === true ? { legacy: true } : {}),
    ...(out.versionedDep !== undefined
      ? { versionedImport: { dep: out.versionedDep, outPath: out.path, outMd5: out.md5 } }
      : {}),
  };
}

/** `used` plus `more`; an object both use keeps its first owner, unless only the second could expand it. */
export function mergeUsed(
  used: Map<Oid, UsedObject>,
  more: ReadonlyMap<Oid, UsedObject>,
): Map<Oid, UsedObject> {
  for (const [oid, owner] of more) {
    const known = used.get(oid);
    if (known === undefined || (known.unexpanded !== undefined && owner.unexpanded === undefined)) {
      used.set(oid, owner);
    }
  }
  return used;
}
