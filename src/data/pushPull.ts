/**
 * `push`, `fetch` and `pull` with DVC's meaning: push sends the used objects the remote lacks, fetch brings
 * them into the cache (directory manifests first, since only they say which files a directory holds), and
 * pull is fetch then checkout (of `.dvc` and `dvc.lock` outs alike). gc is garbageCollect.ts.
 * Objects go to the remote named on the command line, else to the out's own `remote:`, else the default.
 * Results are values with per-object failures; printing is the CLI's job.
 */
import { checkoutTargets } from "./checkoutTargets.js";
import { openDataRemote, selectedRemoteName, type OpenRemoteOptions } from "./dataRemote.js";
import type { DataRepo } from "./dataRepo.js";
import type { Oid } from "./hashInfo.js";
import {
  localRunCacheEntries,
  pullRunCacheEntries,
  pushRunCacheEntries,
  runCacheObjects,
} from "./runCacheTransfer.js";
import {
  fetchObjects,
  pushObjects,
  type TransferEvent,
  type TransferFailure,
  type TransferResult,
} from "./transferObjects.js";
import type { HistoryScope } from "./historyOuts.js";
import { historyOutsOnce, reportedOnce, usedWithHistory } from "./transferScope.js";
import { outsFilter, type UsedObject } from "./usedObjects.js";
import type { UnhashedVersionedImport } from "./unhashedVersionedImports.js";
import {
  fetchVersionedImports,
  isFromVersionedSource,
  type HashedVersionedImport,
} from "./versionedFetch.js";
import { mergeCheckouts, noCheckout, type CheckoutSummary } from "./checkoutSummary.js";
import { manifestsWithFailedFiles } from "./incompleteDirectories.js";
import { perRemote, type RemoteTransferFailure } from "./perRemoteTransfer.js";
import { splitMissing, withMissingDirectories } from "./missingEverywhere.js";

export type { CheckoutSummary };

export interface TransferCommandOptions extends OpenRemoteOptions {
  /** The remote for every object; otherwise each out's `remote:` or the default remote. */
  remote?: string;
  jobs?: number;
  /** Every event of every transfer batch, with the name of the remote that batch talks to. */
  onProgress?: (event: TransferEvent, remote: string) => void;
  /**
   * `--run-cache`: also move the run-cache entries (to or from the remote's `runs/`) and the objects they
   * name, through the named remote or the default one.
   */
  runCache?: boolean;
  /**
   * `-a / -T / -A`: also the objects that `.dvc` files and dvc.lock name at the tip of every branch, at every
   * tag, or in every commit (DVC's brancher), besides the workspace's; with targets, what the targets name in
   * each of those revisions.
   */
  history?: HistoryScope;
  /** `fetch --max-size`: leave out outs of this many bytes or more. */
  maxSize?: number;
  /** `fetch --type`: only metrics or plots outs. */
  types?: ("metrics" | "plots")[];
  /**
   * Called as a revision (`workspace` or a commit) is left out because it could not be collected, before
   * anything is sent and before the error when nothing could be collected: dvc warns at that moment
   * ("failed to collect '<rev>', skipping"). Each revision is reported once per command.
   */
  onSkippedRevision?: (revision: string) => void;
}

export interface SyncResult extends TransferResult {
  failed: RemoteTransferFailure[];
  /** The remotes that were used. */
  remotes: string[];
  /** With `runCache`: the run-cache entry files copied (push counts them in `transferred`, as DVC does). */
  runCacheEntries?: number;
  /** With a history scope and targets: the revisions (`workspace` or commits) where a target named nothing. */
  skippedRevisions?: string[];
  /**
   * No remote was named and `core.remote` is unset, which dvc warns about ("No remote provided and no default
   * remote set."); fetch then left the outs without a `remote:` of their own to the local cache.
   */
  noRemoteSelected?: true;
  /**
   * fetch: the versioned imports made with `--no-download` whose data is now in the cache, with its hash,
   * which their `.dvc` files do not record (dvc leaves them so too); pull checks them out by it.
   */
  hashedImports?: HashedVersionedImport[];
  /**
   * fetch: the outs' own objects (a file's, a directory's manifest) that neither the cache nor the remote
   * has. dvc's fetch only warns of them ("Some of the cache files do not exist neither locally nor on
   * remote") and exits 0, so they are not in `failed`; pull's checkout then fails on their outs. A file
   * listed by a manifest that the remote lacks stays in `failed`: dvc's transfer of a directory fails on it.
   * Each names the remote it was looked for on: dvc warns once per remote, the default remote first.
   */
  missing?: MissingObject[];
}

/** An object neither the cache nor `remote` has. */
export type MissingObject = TransferFailure & { remote: string };

/** The failures dvc raises as a failed download, which end a pull before checkout. */
export function downloadFailures(result: SyncResult): TransferFailure[] {
  return result.failed.filter((failure) => failure.goneAtSource !== true);
}

/** The `noRemoteSelected` field, present only when it is true. */
function noRemoteField(
  repo: DataRepo,
  options: TransferCommandOptions,
): Pick<SyncResult, "noRemoteSelected"> {
  return selectedRemoteName(repo, options.remote) === undefined ? { noRemoteSelected: true } : {};
}

/** Sends the objects of `targets` (everything tracked by default) that their remote lacks. */
export async function push(
  repo: DataRepo,
  targets?: readonly string[],
  options: TransferCommandOptions = {},
): Promise<SyncResult> {
  const { used, skippedRevisions } = await usedWithHistory(
    repo,
    targets,
    historyOutsOnce(repo, targets, options.history),
    reportedOnce(options.onSkippedRevision),
  );
  const skippedField = {
    ...(skippedRevisions.length > 0 ? { skippedRevisions } : {}),
    ...noRemoteField(repo, options),
  };
  // dvc's run-cache push is skipped, not failed, when no remote is set (RunCacheNotSupported).
  const runCache = options.runCache === true && skippedField.noRemoteSelected !== true;
  const entries = runCache ? await localRunCacheEntries(repo) : [];
  const pushable = withRunCacheObjects(
    new Map([...used].filter(([, owner]) => owner.push !== false)),
    await runCacheObjects(repo, entries),
  );
  // dvc opens the remote even with nothing to send, so a missing default (or unknown `-r`) is still an error.
  if (pushable.size === 0) openDataRemote(repo, options.remote, remoteOptions(options));
  // A directory whose manifest the cache lacks goes through as just its manifest: skipped when the remote
  // has it, otherwise reported as missing. Its files are unknown, so nothing else of it can be sent.
  const sent = await perRemote(repo, pushable, options, pushObjects);
  // A manifest held back for its files: failed with them when they failed, else (they are missing
  // everywhere, which the warning names) counted as pushed, as dvc counts it, with no warning of its own.
  const held = await manifestsWithFailedFiles(
    repo,
    (sent.notPushed ?? []).filter((item) => item.missingLocally !== true),
    sent.failed,
  );
  const notPushed = (sent.notPushed ?? []).filter((item) => item.missingLocally === true);
  const result: SyncResult = { ...sent, transferred: sent.transferred + held.unfailed.length };
  if (notPushed.length > 0) result.notPushed = notPushed;
  else delete result.notPushed;
  const failed = [
    ...sent.failed.map((failure) =>
      used.get(failure.oid)?.unexpanded === "corrupt"
        ? { ...failure, reason: "directory manifest is corrupt in the local cache (it was removed)" }
        : failure,
    ),
    ...held.failed,
  ];
  if (!runCache) return { ...result, failed, ...skippedField };
  // Entries go last, as manifests do: a remote should not name results whose objects it lacks.
  const remote = openDataRemote(repo, options.remote, remoteOptions(options));
  const runCacheEntries = await pushRunCacheEntries(repo, remote, entries);
  return {
    ...result,
    failed,
    transferred: result.transferred + runCacheEntries,
    runCacheEntries,
    remotes: [...new Set([...result.remotes, remote.name])],
    ...skippedField,
  };
}

/** Brings the objects of `targets` that the cache lacks: directory manifests first, then the files they list. */
export async function fetch(
  repo: DataRepo,
  targets?: readonly string[],
  options: TransferCommandOptions = {},
): Promise<SyncResult> {
  let entries: string[] | undefined;
  let runCacheRemote: string | undefined;
  const noRemote = noRemoteField(repo, options);
  // With no remote dvc skips the run-cache (RunCacheNotSupported) and fetches what it can.
  if (options.runCache === true && noRemote.noRemoteSelected !== true) {
    const remote = openDataRemote(repo, options.remote, remoteOptions(options));
    entries = await pullRunCacheEntries(repo, remote);
    runCacheRemote = remote.name;
  }
  // History is read from Git once; only its expansion is redone once manifests have arrived.
  const history = historyOutsOnce(repo, targets, options.history);
  let skippedRevisions: string[] = [];
  let unhashedImports: UnhashedVersionedImport[] | undefined;
  // Collected again after manifests arrive: the skips are the same, and reported once.
  const onSkipped = reportedOnce(options.onSkippedRevision);
  const collect = async (): Promise<Map<Oid, UsedObject>> => {
    const collected = await usedWithHistory(
      repo,
      targets,
      history,
      onSkipped,
      outsFilter(options.maxSize, options.types),
    );
    skippedRevisions = collected.skippedRevisions;
    // `--type` keeps metrics and plots outs, which an import never is.
    unhashedImports ??=
      options.types !== undefined && options.types.length > 0 ? [] : collected.unhashedImports;
    return withRunCacheObjects(
      collected.used,
      entries === undefined ? new Map() : await runCacheObjects(repo, entries),
    );
  };
  const fetched = {
    ...(await fetchInRounds(repo, collect, options, () => unhashedImports ?? [])),
    ...noRemote,
  };
  const result = skippedRevisions.length > 0 ? { ...fetched, skippedRevisions } : fetched;
  if (runCacheRemote === undefined) return result;
  return {
    ...result,
    remotes: [...new Set([...result.remotes, runCacheRemote])],
    runCacheEntries: entries?.length ?? 0,
  };
}

/**
 * Fetches the objects that the given run-cache entries (paths relative to the cache, `runs/ab/<key>/<value>`)
 * name, as `repro --pull` needs them to restore a stage. Objects the remote lacks are skipped, not failures.
 */
export async function fetchRunCacheEntryObjects(
  repo: DataRepo,
  entries: readonly string[],
  options: TransferCommandOptions = {},
): Promise<SyncResult> {
  return fetchInRounds(repo, () => runCacheObjects(repo, entries), options);
}

/**
 * fetch's two rounds: directory manifests first, then everything `collect` names once they are read. The
 * objects of versioned imports come from their sources instead (versionedFetch.ts), remote or not, whole
 * directories at once, so they take no part in the rounds; so does the data of the versioned imports that
 * record no hash yet, which `unhashed` gives once `collect` has run.
 */
async function fetchInRounds(
  repo: DataRepo,
  collect: () => Promise<Map<Oid, UsedObject>>,
  options: TransferCommandOptions,
  unhashed: () => readonly UnhashedVersionedImport[] = () => [],
): Promise<SyncResult> {
  // dvc's fetch leaves objects with no remote at all (none named, no `remote:`, no `core.remote`) to the
  // local cache: neither fetched nor failed, so pull checks them out from the cache alone. Push, which
  // goes through perRemote with all of them, fails on them with the config error instead.
  const withRemote = (objects: Map<Oid, UsedObject>): Map<Oid, UsedObject> =>
    new Map(
      [...objects].filter(
        ([, owner]) =>
          !isFromVersionedSource(owner) &&
          selectedRemoteName(repo, options.remote ?? owner.remote) !== undefined,
      ),
    );
  const collected = await collect();
  const onProgress = options.onProgress;
  const sourced = await fetchVersionedImports(
    repo,
    new Map([...collected].filter(([, owner]) => isFromVersionedSource(owner))),
    {
      ...(onProgress !== undefined ? { onProgress } : {}),
      ...(options.jobs !== undefined ? { jobs: options.jobs } : {}),
    },
    unhashed(),
  );
  const before = withRemote(collected);
  const manifests = new Map([...before].filter(([, owner]) => owner.unexpanded !== undefined));
  const first = await perRemote(repo, manifests, options, fetchObjects);
  const failedManifests = new Set(first.failed.map((failure) => failure.oid));
  const after = manifests.size === 0 ? before : withRemote(await collect());
  const rest = new Map([...after].filter(([oid]) => !failedManifests.has(oid)));
  const second = await perRemote(repo, rest, options, fetchObjects);
  // Only what a remote lacks: a versioned import's source missing a version keeps failing (versionedFetch.ts).
  const fromRemotes = await splitMissing(
    repo,
    [...first.failed, ...second.failed],
    after,
    (oid) => selectedRemoteName(repo, options.remote ?? (before.get(oid) ?? after.get(oid))?.remote) ?? "",
    selectedRemoteName(repo, options.remote),
    remoteOptions(options),
  );
  // A manifest fetched here whose files then failed fails with them, as dvc-data counts it.
  const incomplete = await manifestsWithFailedFiles(
    repo,
    [...manifests]
      .filter(([oid]) => !failedManifests.has(oid))
      .map(([oid, owner]) => ({ oid, path: owner.path, reason: "" })),
    fromRemotes.failed,
  );
  return {
    transferred: sourced.transferred + first.transferred + second.transferred - incomplete.failed.length,
    // Manifests fetched in the first round count once, as fetched, not again as already present.
    skipped:
      sourced.skipped +
      second.skipped -
      [...manifests.keys()].filter((oid) => !failedManifests.has(oid) && rest.has(oid)).length,
    bytes: sourced.bytes + first.bytes + second.bytes,
    failed: [...sourced.failed, ...fromRemotes.failed, ...incomplete.failed],
    ...(fromRemotes.missing.length > 0 ? { missing: fromRemotes.missing } : {}),
    remotes: [...new Set([...first.remotes, ...second.remotes])],
    ...(sourced.hashedImports.length > 0 ? { hashedImports: sourced.hashedImports } : {}),
  };
}

/** The workspace's objects plus the run-cache's; an object both use keeps its workspace owner. */
function withRunCacheObjects(
  used: Map<Oid, UsedObject>,
  runCache: ReadonlyMap<Oid, UsedObject>,
): Map<Oid, UsedObject> {
  for (const [oid, owner] of runCache) if (!used.has(oid)) used.set(oid, owner);
  return used;
}

export interface PullOptions extends TransferCommandOptions {
  force?: boolean;
  /**
   * dvc's `pull` command: a failed download (not an object missing everywhere, which fetch only warns of, nor
   * a versioned import's lost version) ends the pull before checkout, so the workspace is left as it was and
   * `checkout` is empty.
   */
  stopOnFailedFetch?: boolean;
  /** Called with the fetch's result before checkout, which may throw (a refusal to remove unsaved files). */
  onFetched?: (fetched: SyncResult) => void;
}

export interface PullResult {
  fetch: SyncResult;
  checkout: CheckoutSummary;
}

/**
 * fetch, then checkout of the same targets; objects that failed to fetch show up as checkout failures too.
 * Checkout removes a cache object it finds corrupt, so when some out failed, a second fetch brings back what
 * the remote still has and those outs are checked out again: dvc's pull likewise replaces a cache file whose
 * content no longer matches its hash. The second round costs nothing when every out was checked out.
 */
export async function pull(
  repo: DataRepo,
  targets?: readonly string[],
  options: PullOptions = {},
): Promise<PullResult> {
  const checkoutOptions = options.force !== undefined ? { force: options.force } : {};
  // Imports made with --no-download have no hash in their files: checkout finds the one fetch recorded.
  const checkoutOf = (paths: string[] | undefined): Promise<CheckoutSummary> =>
    checkoutTargets(repo, paths, checkoutOptions);
  const fetched = await fetch(repo, targets, options);
  options.onFetched?.(fetched);
  if (options.stopOnFailedFetch === true && downloadFailures(fetched).length > 0) {
    return { fetch: fetched, checkout: noCheckout() };
  }
  const checkout = await checkoutOf(targets === undefined ? undefined : [...targets]);
  if (checkout.failed.length === 0) return { fetch: fetched, checkout };
  const refetched = await fetch(repo, targets, options);
  const known = new Set([...fetched.failed, ...(fetched.missing ?? [])].map((failure) => failure.oid));
  const missing = [
    ...(fetched.missing ?? []),
    ...(refetched.missing ?? []).filter((failure) => !known.has(failure.oid)),
  ];
  const fetchedBoth: SyncResult = {
    ...fetched,
    transferred: fetched.transferred + refetched.transferred,
    bytes: fetched.bytes + refetched.bytes,
    failed: [...fetched.failed, ...refetched.failed.filter((failure) => !known.has(failure.oid))],
    ...(missing.length > 0 ? { missing } : {}),
  };
  const final =
    refetched.transferred === 0
      ? checkout
      : mergeCheckouts(
          checkout,
          await checkoutOf(checkout.failed.map((failure) => failure.path.replace(/\/$/, ""))),
        );
  final.failed = withMissingDirectories(final.failed, missing, repo.root, process.cwd());
  return { fetch: fetchedBoth, checkout: final };
}

/** Only the environment of the options, for opening a remote. */
export function remoteOptions(options: OpenRemoteOptions): OpenRemoteOptions {
  return options.env === undefined ? {} : { env: options.env };
}
