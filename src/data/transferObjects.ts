/**
 * Moves content-addressed objects between the local object cache and a remote, DVC 3 layout on both sides.
 * Only missing objects move; each lands atomically (the store's write, the cache's verified temp file), so an
 * interrupted transfer resumes by running again. Uploads are verified from the cache first and a directory
 * manifest is uploaded only after those of its files that the push sends are on the remote (all of them,
 * unless a path inside the directory was asked for: then, as dvc, the manifest goes with that part). Downloads are verified before they become visible. Failures are reported per object, by
 * oid and workspace path; one bad object never stops the others. Which objects a remote already has is
 * decided here too, by DVC's list-or-stat heuristic. Nothing here prints.
 */
import { createReadStream, createWriteStream } from "node:fs";
import { stat } from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import { artifactBasename } from "../artifacts/store.js";
import { FlowOpsError, toFlowOpsError } from "../errors.js";
import type { DataRemote } from "./dataRemote.js";
import { isDirOid, isOid, legacyObjectKey, objectKey, type Oid } from "./hashInfo.js";
import type { ObjectCache } from "./objectCache.js";

/** Who refers to an object, for messages: the workspace path and the `.dvc`/`dvc.lock` file naming it. */
export interface ObjectOwner {
  path: string;
  dvcFile: string;
  /** The out has no `hash: md5` (DVC 2): its objects live in the remote's legacy layout, as DVC 3 keeps them. */
  legacy?: boolean;
  /**
   * Absent at the source is not a failure (run-cache objects: an old entry's outputs may be long gone); it is
   * left out of the counts. Corrupt content is still reported.
   */
  optional?: boolean;
}

export interface TransferFailure {
  oid: Oid;
  /** The workspace path the object belongs to (a file inside a tracked directory where known). */
  path: string;
  reason: string;
  /** The remote lacks it (not corrupt, not unreachable): what `pull --allow-missing` lets pass. */
  missing?: boolean;
  /** The local cache lacks it: what push warns about and leaves out. */
  missingLocally?: boolean;
  /**
   * A versioned import's source no longer has the recorded version. dvc's fetch counts such a file as not
   * fetched without raising, so its pull goes on to checkout, which then fails on that out.
   */
  goneAtSource?: boolean;
}

export interface TransferResult {
  /** Objects that moved in this call. */
  transferred: number;
  /** Objects already at the destination. */
  skipped: number;
  failed: TransferFailure[];
  /**
   * Push only: objects not sent because the local cache lacks them (or, for a manifest, lacks files it lists),
   * which dvc's push warns about and does not fail on. A manifest is still never sent before its files.
   */
  notPushed?: TransferFailure[];
  /** Bytes moved. */
  bytes: number;
}

export type TransferEvent =
  { type: "planned"; total: number } | { type: "object"; oid: Oid; ok: boolean; bytes: number };

export interface TransferOptions {
  /** Objects moving at once; the remote's `jobs` by default. */
  jobs?: number;
  onProgress?: (event: TransferEvent) => void;
}

/** The cache operations transfers use. */
export type TransferCache = Pick<
  ObjectCache,
  "locate" | "has" | "verify" | "readDirManifest" | "openTempFile"
>;

/** What transfers need from the repo. */
export interface TransferRepo {
  cache: TransferCache;
}

/** Sends the objects the remote lacks: files first, then manifests whose files (of this push) arrived. */
export async function pushObjects(
  repo: TransferRepo,
  remote: DataRemote,
  objects: ReadonlyMap<Oid, ObjectOwner>,
  options: TransferOptions = {},
): Promise<TransferResult> {
  const jobs = options.jobs ?? remote.jobs;
  const result: TransferResult = { transferred: 0, skipped: 0, failed: [], bytes: 0 };
  const oids = [...objects.keys()];
  const layoutOf = (oid: Oid): RemoteLayout => (objects.get(oid)?.legacy === true ? "legacy" : "files");
  const present = new Set([
    ...(await remoteHas(
      remote,
      oids.filter((oid) => layoutOf(oid) === "files"),
      jobs,
    )),
    ...(await remoteHas(
      remote,
      oids.filter((oid) => layoutOf(oid) === "legacy"),
      jobs,
      "legacy",
    )),
  ]);
  const missing = oids.filter((oid) => !present.has(oid));
  result.skipped = oids.length - missing.length;
  options.onProgress?.({ type: "planned", total: missing.length });
  const onRemote = new Set(present);

  const send = async (oid: Oid): Promise<void> => {
    const failure = (reason: string): TransferFailure => ({ oid, path: ownerPath(objects, oid), reason });
    let problem: (TransferFailure & { absent?: boolean }) | undefined;
    let bytes = 0;
    try {
      problem = await uploadProblem(
        repo.cache,
        oid,
        (md5) => objects.has(md5) && !onRemote.has(md5),
        failure,
      );
      if (problem?.absent === true) {
        if (objects.get(oid)?.optional !== true) {
          (result.notPushed ??= []).push({
            oid: problem.oid,
            path: problem.path,
            reason: problem.reason,
            ...(problem.missingLocally === true ? { missingLocally: true } : {}),
          });
        }
        options.onProgress?.({ type: "object", oid, ok: false, bytes: 0 });
        return;
      }
      if (problem === undefined) {
        const source = await repo.cache.locate(oid);
        if (source === undefined) throw new FlowOpsError("RESOURCE_DOES_NOT_EXIST", "it left the cache");
        bytes = (await stat(source)).size;
        await remote.store.write(remoteKey(oid, layoutOf(oid)), createReadStream(source));
        onRemote.add(oid);
      }
    } catch (error) {
      problem = failure(`could not be pushed to remote '${remote.name}': ${toFlowOpsError(error).message}`);
    }
    record(result, options, oid, problem, bytes);
  };

  await forEachLimited(
    missing.filter((oid) => !isDirOid(oid)),
    jobs,
    send,
  );
  await forEachLimited(missing.filter(isDirOid), jobs, send);
  return result;
}

/**
 * Why an object must not be uploaded: missing (`absent`), corrupt, or a manifest whose files are not all up
 * (`absent` too: its files' own failures, if any, are what fails the push).
 */
async function uploadProblem(
  cache: TransferCache,
  oid: Oid,
  failedToArrive: (md5: Oid) => boolean,
  failure: (reason: string) => TransferFailure,
): Promise<(TransferFailure & { absent?: boolean }) | undefined> {
  if (!(await cache.has(oid))) {
    return { ...failure("is missing from the local cache"), missingLocally: true, absent: true };
  }
  if (!(await cache.verify(oid))) {
    return failure("is corrupt in the local cache (its content does not match its hash) and was not pushed");
  }
  if (!isDirOid(oid)) return undefined;
  const entries = await cache.readDirManifest(oid);
  const absent = entries.filter((entry) => failedToArrive(entry.md5));
  if (absent.length === 0) return undefined;
  const first = absent[0];
  return {
    ...failure(
      `directory manifest not pushed because ${absent.length} of its files did not reach the remote` +
        (first === undefined ? "" : ` (first: '${first.relpath}', ${first.md5})`),
    ),
    absent: true,
  };
}

/**
 * Downloads the objects the cache lacks, manifests first. Each goes through a cache temp file that is
 * verified on commit, so a corrupt remote object is reported and never becomes visible.
 */
export async function fetchObjects(
  repo: TransferRepo,
  remote: DataRemote,
  objects: ReadonlyMap<Oid, ObjectOwner>,
  options: TransferOptions = {},
): Promise<TransferResult> {
  const jobs = options.jobs ?? remote.jobs;
  const result: TransferResult = { transferred: 0, skipped: 0, failed: [], bytes: 0 };
  const oids = [...objects.keys()];
  const local = await filterLimited(oids, jobs, (oid) => repo.cache.has(oid));
  const missing = oids.filter((oid) => !local.has(oid));
  result.skipped = oids.length - missing.length;
  options.onProgress?.({ type: "planned", total: missing.length });
  if (missing.length === 0) return result;

  const onRemote = await remoteHas(remote, missing, jobs);
  // DVC 2 remotes keep objects at `ab/cdef..`; look there only for what the DVC 3 layout lacks.
  const legacy = await filterLimited(
    missing.filter((oid) => !onRemote.has(oid)),
    jobs,
    async (oid) => (await remote.store.stat(legacyObjectKey(oid)))?.is_dir === false,
  );

  const receive = async (oid: Oid): Promise<void> => {
    const failure = (reason: string): TransferFailure => ({ oid, path: ownerPath(objects, oid), reason });
    if (!onRemote.has(oid) && !legacy.has(oid)) {
      if (objects.get(oid)?.optional === true) {
        options.onProgress?.({ type: "object", oid, ok: false, bytes: 0 });
        return;
      }
      record(
        result,
        options,
        oid,
        { ...failure(`is missing from remote '${remote.name}'`), missing: true },
        0,
      );
      return;
    }
    const isLegacy = !onRemote.has(oid);
    const key = isLegacy ? legacyObjectKey(oid) : objectKey(oid);
    let problem: TransferFailure | undefined;
    let bytes = 0;
    const temp = await repo.cache
      .openTempFile(oid, isLegacy ? { legacy: true } : {})
      .catch((error: unknown) => toFlowOpsError(error));
    if (temp instanceof FlowOpsError) {
      record(result, options, oid, failure(`could not be fetched: ${temp.message}`), 0);
      return;
    }
    try {
      await pipeline(await remote.store.read(key), createWriteStream(temp.path));
      bytes = (await stat(temp.path)).size;
      await temp.commit();
    } catch (error) {
      await temp.abort().catch(() => undefined);
      const flowError = toFlowOpsError(error);
      problem = failure(
        flowError.code === "DATA_LOSS"
          ? `is corrupt on remote '${remote.name}' (its content does not match its hash) and was not fetched`
          : `could not be fetched from remote '${remote.name}': ${flowError.message}`,
      );
    }
    record(result, options, oid, problem, bytes);
  };

  await forEachLimited(missing.filter(isDirOid), jobs, receive);
  await forEachLimited(
    missing.filter((oid) => !isDirOid(oid)),
    jobs,
    receive,
  );
  return result;
}

function record(
  result: TransferResult,
  options: TransferOptions,
  oid: Oid,
  problem: TransferFailure | undefined,
  bytes: number,
): void {
  if (problem === undefined) {
    result.transferred += 1;
    result.bytes += bytes;
  } else {
    result.failed.push({
      oid: problem.oid,
      path: problem.path,
      reason: problem.reason,
      ...(problem.missing === true ? { missing: true } : {}),
    });
  }
  options.onProgress?.({ type: "object", oid, ok: problem === undefined, bytes });
}

function ownerPath(objects: ReadonlyMap<Oid, ObjectOwner>, oid: Oid): string {
  return objects.get(oid)?.path ?? "";
}

/** DVC's listing page and the weights of its existence-check heuristic (dvc-objects `db.py` `oids_exist`). */
const LIST_OBJECT_PAGE_SIZE = 1000;
const TRAVERSE_WEIGHT_MULTIPLIER = 5;
const TRAVERSE_THRESHOLD_SIZE = 500_000;
/** The fan-out directory whose size stands for every other one when estimating the remote's size. */
const SAMPLE_PREFIX = "00";

/** Where a remote keeps objects: DVC 3's `files/md5/ab/cdef..`, or DVC 2's `ab/cdef..` for legacy outs. */
export type RemoteLayout = "files" | "legacy";

function remoteKey(oid: Oid, layout: RemoteLayout): string {
  return layout === "files" ? objectKey(oid) : legacyObjectKey(oid);
}

/**
 * How to learn which objects a remote has: list the `files/md5/xx/` prefixes the objects fall in, or stat
 * each object. DVC's rule: estimate the remote's size from one prefix (x256); listing costs one request per
 * page of 1000, weighted x5 on big remotes; stat when there are fewer objects than weighted pages.
 */
export function existenceCheck(objectCount: number, sampleCount: number): "list" | "stat" {
  if (objectCount <= 1) return "stat";
  const estimatedSize = sampleCount * 256;
  const pages = estimatedSize / LIST_OBJECT_PAGE_SIZE;
  const weight = estimatedSize > TRAVERSE_THRESHOLD_SIZE ? pages * TRAVERSE_WEIGHT_MULTIPLIER : pages;
  return objectCount < weight ? "stat" : "list";
}

/** The subset of `oids` the remote holds in the given layout (DVC 3's by default). */
export async function remoteHas(
  remote: DataRemote,
  oids: readonly Oid[],
  jobs = remote.jobs,
  layout: RemoteLayout = "files",
): Promise<Set<Oid>> {
  const wanted = new Set(oids);
  if (wanted.size === 0) return new Set();
  let sample: Set<Oid> | undefined;
  if (wanted.size > 1) sample = await listPrefix(remote, SAMPLE_PREFIX, layout);
  const found = new Set<Oid>();
  if (existenceCheck(wanted.size, sample?.size ?? 0) === "stat") {
    // The sampled prefix's listing is complete: its objects need no stat either way.
    const rest = [...wanted].filter((oid) => sample === undefined || !oid.startsWith(SAMPLE_PREFIX));
    for (const oid of wanted) if (sample?.has(oid) === true) found.add(oid);
    await forEachLimited(rest, jobs, async (oid) => {
      if ((await remote.store.stat(remoteKey(oid, layout)))?.is_dir === false) found.add(oid);
    });
    return found;
  }
  const prefixes = [...new Set([...wanted].map((oid) => oid.slice(0, 2)))].filter((p) => p !== SAMPLE_PREFIX);
  const listings = [sample ?? new Set<Oid>()];
  await forEachLimited(prefixes, jobs, async (prefix) => {
    listings.push(await listPrefix(remote, prefix, layout));
  });
  for (const listing of listings) for (const oid of listing) if (wanted.has(oid)) found.add(oid);
  return found;
}

/** Every object the remote holds in the DVC 3 layout (for `gc --cloud`), listing prefixes in parallel. */
export async function listRemoteOids(remote: DataRemote, jobs = remote.jobs): Promise<Set<Oid>> {
  const prefixes = (await remote.store.list(OBJECTS_DIR))
    .filter((entry) => entry.is_dir && /^[0-9a-f]{2}$/.test(artifactBasename(entry.path)))
    .map((entry) => artifactBasename(entry.path));
  const all = new Set<Oid>();
  await forEachLimited(prefixes, jobs, async (prefix) => {
    for (const oid of await listPrefix(remote, prefix, "files")) all.add(oid);
  });
  return all;
}

const OBJECTS_DIR = "files/md5";

async function listPrefix(remote: DataRemote, prefix: string, layout: RemoteLayout): Promise<Set<Oid>> {
  const entries = await remote.store.list(layout === "files" ? `${OBJECTS_DIR}/${prefix}` : prefix);
  const oids = new Set<Oid>();
  for (const entry of entries) {
    if (entry.is_dir) continue;
    const oid = prefix + artifactBasename(entry.path);
    if (isOid(oid)) oids.add(oid);
  }
  return oids;
}

/** Runs `fn` over `items` with at most `limit` in flight; `fn` reports its own failures. */
export async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

export async function filterLimited<T>(
  items: readonly T[],
  limit: number,
  keep: (item: T) => Promise<boolean>,
): Promise<Set<T>> {
  const kept = new Set<T>();
  await forEachLimited(items, limit, async (item) => {
    if (await keep(item)) kept.add(item);
  });
  return kept;
}
