/**
 * `flowops data push|pull|fetch|gc`: options, progress on stderr, and DVC's wording on stdout ("3 files
 * pushed", "Everything is up to date.", "Removed 2 objects from repo cache."), or a JSON summary with --json.
 * Exit 1 when any object failed. The work itself lives in data/pushPull.ts.
 */
import { Command, InvalidArgumentError, Option } from "commander";
import { FlowOpsError } from "../errors.js";
import { withDataRepo, type DataRepo } from "../data/dataRepo.js";
import { isRemoteNotFound } from "../data/dataRemote.js";
import type { CheckoutSummary, SyncResult, TransferCommandOptions } from "../data/pushPull.js";
import type { RemoteTransferFailure } from "../data/perRemoteTransfer.js";
import { filesFailedMessage, transferFailureLines } from "../data/transferFailureWording.js";
import type { TransferEvent, TransferFailure } from "../data/transferObjects.js";
import { noHashWarnings } from "../data/noHashWarnings.js";
import { printJson } from "./output.js";
import { createProgress, type ProgressSink } from "./progressBar.js";
import { positiveInteger } from "./numberOptions.js";
import { failingWith, TRANSFER_FAILED } from "./transferFailure.js";
import { checkoutFailedMessage, checkoutFailureLine } from "../data/checkoutFailedMessage.js";

/** Loaded when a transfer runs, so other `data` subcommands do not compile the remote and transfer code. */
const transfers = () => import("../data/pushPull.js");

/** The targets after `--glob`, `-R` and `-d`, resolved in the workspace. */
async function expandedTargets(repo: DataRepo, targets: string[], flags: SyncFlags): Promise<string[]> {
  if (flags.glob !== true && flags.recursive !== true && flags.withDeps !== true) return targets;
  const { expandDataTargets } = await import("../data/targetExpansion.js");
  return expandDataTargets(repo, targets, {
    glob: flags.glob === true,
    recursive: flags.recursive === true,
    withDeps: flags.withDeps === true,
  });
}

interface SyncFlags {
  withDeps?: boolean;
  recursive?: boolean;
  glob?: boolean;
  allBranches?: boolean;
  allTags?: boolean;
  allCommits?: boolean;
  remote?: string;
  jobs?: number;
  json?: boolean;
  runCache?: boolean;
}

function withSyncOptions(command: Command): Command {
  return command
    .argument("[targets...]", ".dvc files, stage names or tracked paths (default: everything tracked)")
    .option("-r, --remote <name>", "remote to use (default: each out's remote, else core.remote)")
    .addOption(
      new Option(
        "-j, --jobs <n>",
        "objects transferred at once (default: remote jobs, else 4 x cores)",
      ).argParser(positiveInteger),
    )
    .option("-d, --with-deps", "also the data of the stages and .dvc files that stage targets depend on")
    .option("-R, --recursive", "a directory target selects every stage and .dvc file inside it")
    .option("--glob", "targets are path patterns (*, ?, [...], **), expanded as dvc expands them")
    .option("-a, --all-branches", "also the data of the tip of every branch")
    .option("-T, --all-tags", "also the data of every tag")
    .option("-A, --all-commits", "also the data of every commit")
    .option("--run-cache", "also transfer the run-cache (entries under runs/ and the objects they name)")
    .option("--no-run-cache", "do not transfer the run-cache (the default)")
    .option("--json", "print a JSON summary");
}

/** One progress bar per remote batch, in objects, silent with --json. */
function progressReporter(
  label: string,
  json: boolean,
): { onProgress: (event: TransferEvent) => void; finish(): void } {
  let sink: ProgressSink | undefined;
  return {
    onProgress(event) {
      if (event.type === "planned") {
        sink?.done();
        sink =
          event.total > 0 ? createProgress(label, event.total, { enabled: !json, unit: "count" }) : undefined;
      } else {
        sink?.advance(1);
      }
    },
    finish() {
      sink?.done();
      sink = undefined;
    },
  };
}

function transferOptions(
  flags: SyncFlags,
  onProgress: (event: TransferEvent) => void,
): TransferCommandOptions {
  return {
    ...(flags.json === true ? {} : { onSkippedRevision: reportSkippedRevision }),
    ...(flags.remote !== undefined ? { remote: flags.remote } : {}),
    ...(flags.jobs !== undefined ? { jobs: flags.jobs } : {}),
    ...(flags.runCache === true ? { runCache: true } : {}),
    ...(flags.allBranches === true || flags.allTags === true || flags.allCommits === true
      ? {
          history: {
            allBranches: flags.allBranches === true,
            allTags: flags.allTags === true,
            allCommits: flags.allCommits === true,
          },
        }
      : {}),
    onProgress,
  };
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

/** DVC's `get_summary`: "4 files fetched and 3 files added"; empty when nothing happened. */
export function summaryLine(stats: readonly [string, number][]): string {
  const words = stats.filter(([, n]) => n > 0).map(([state, n]) => `${plural(n, "file")} ${state}`);
  if (words.length <= 1) return words[0] ?? "";
  return `${words.slice(0, -1).join(", ")} and ${words.at(-1) ?? ""}`;
}

/** dvc's warning (bare, on stderr) when no remote was named and none is the default. */
function reportNoRemote(result: SyncResult): void {
  if (result.noRemoteSelected === true)
    process.stderr.write("No remote provided and no default remote set.\n");
}

function reportFailures(failures: readonly RemoteTransferFailure[]): void {
  for (const line of transferFailureLines(failures)) process.stderr.write(`${line}\n`);
}

/**
 * dvc's warning for objects neither the cache nor the remote has, one `md5: <oid>` line each (dvc-data's
 * `_log_missing`: no path, as dvc 3.67.1 prints it for push, fetch and pull alike). dvc warns once per
 * remote it transferred from, so fetch's objects (which name their remote) come in one block per remote.
 * Within a block dvc's order is a Python set's, which changes from run to run; ours is the outs' order.
 * `line` words each object otherwise: dvc's own `DataCloud._log_missing` (repro's restore from dvc.lock)
 * leads with the out's name.
 */
export function reportMissingObjects<T extends { oid: string; remote?: string }>(
  missing: readonly T[],
  line: (item: T) => string = (item) => `md5: ${item.oid}`,
): void {
  const blocks = new Map<string | undefined, T[]>();
  for (const item of missing) blocks.set(item.remote, [...(blocks.get(item.remote) ?? []), item]);
  for (const block of blocks.values()) {
    process.stderr.write(
      "WARNING: Some of the cache files do not exist neither locally nor on remote. Missing cache files:\n" +
        block.map((item) => `${line(item)}\n`).join(""),
    );
  }
}

/**
 * What push left behind without failing, as dvc's push warns about it: objects the cache lacks (dvc's words
 * and md5 lines), then manifests held back because some of their files are not on the remote.
 */
function reportNotPushed(notPushed: readonly TransferFailure[]): void {
  reportMissingObjects(notPushed.filter((item) => item.missingLocally === true));
  for (const item of notPushed) {
    if (item.missingLocally !== true)
      process.stderr.write(`WARNING: '${item.path}' (md5: ${item.oid}) ${item.reason}\n`);
  }
}

/**
 * DVC's warning for a revision it could not collect (a damaged dvc.lock, a target that names nothing there),
 * printed as the collection skips it: before the transfer, and before the error when nothing was collected.
 */
function reportSkippedRevision(revision: string): void {
  process.stderr.write(`WARNING: failed to collect '${revision}', skipping\n`);
}

/**
 * dvc's pull and fetch collect the workspace's index before they transfer anything, and the index asks each
 * out for its remote: a remote that does not exist fails the collection, which dvc warns of before its error.
 * With history flags dvc warns for every revision it skips; those are not known here, so none is named.
 */
function warnOfUncollectedWorkspace(flags: SyncFlags, error: unknown): void {
  const history = flags.allBranches === true || flags.allTags === true || flags.allCommits === true;
  if (flags.json !== true && !history && isRemoteNotFound(error)) reportSkippedRevision("workspace");
}

function syncJson(result: SyncResult): Record<string, unknown> {
  return {
    remotes: result.remotes,
    transferred: result.transferred,
    skipped: result.skipped,
    bytes: result.bytes,
    failed: result.failed,
    ...(result.missing !== undefined ? { missing: result.missing } : {}),
    ...(result.notPushed !== undefined ? { notPushed: result.notPushed } : {}),
    ...(result.runCacheEntries !== undefined ? { runCacheEntries: result.runCacheEntries } : {}),
    ...(result.skippedRevisions !== undefined ? { skippedRevisions: result.skippedRevisions } : {}),
  };
}

export function pushCommand(): Command {
  return withSyncOptions(new Command("push"))
    .description("Upload tracked data the remote lacks (files first, directory manifests last).")
    .action(async (targets: string[], flags: SyncFlags) => {
      const progress = progressReporter("Pushing", flags.json === true);
      const result = await withDataRepo(process.cwd(), (repo) =>
        failingWith(TRANSFER_FAILED.push, () =>
          transfers().then(async ({ push }) =>
            push(
              repo,
              await expandedTargets(repo, targets, flags),
              transferOptions(flags, progress.onProgress),
            ),
          ),
        ),
      ).finally(() => progress.finish());
      finishSync(result, flags, "pushed", TRANSFER_FAILED.push, "upload");
    });
}

export function fetchCommand(): Command {
  return withSyncOptions(new Command("fetch"))
    .description("Download tracked data the cache lacks, verified, without touching the workspace.")
    .addOption(
      new Option("--max-size <bytes>", "only outs smaller than this (their recorded size)").argParser(
        positiveInteger,
      ),
    )
    .addOption(
      new Option("--type <type>", "only outs of this type (metrics or plots); may be given twice")
        .choices(["metrics", "plots"])
        // After choices(), whose check this replaces: the values gather into a list, as dvc's append.
        .argParser((value: string, previous: string[] | undefined) => {
          if (value !== "metrics" && value !== "plots") {
            throw new InvalidArgumentError("Allowed choices are metrics, plots.");
          }
          return [...(previous ?? []), value];
        }),
    )
    .action(
      async (targets: string[], flags: SyncFlags & { maxSize?: number; type?: ("metrics" | "plots")[] }) => {
        const progress = progressReporter("Fetching", flags.json === true);
        const result = await withDataRepo(process.cwd(), (repo) =>
          failingWith(TRANSFER_FAILED.fetch, () =>
            transfers().then(async ({ fetch }) =>
              fetch(repo, await expandedTargets(repo, targets, flags), {
                ...transferOptions(flags, progress.onProgress),
                ...(flags.maxSize !== undefined ? { maxSize: flags.maxSize } : {}),
                ...(flags.type !== undefined ? { types: flags.type } : {}),
              }),
            ),
          ),
        )
          .catch((error: unknown) => {
            warnOfUncollectedWorkspace(flags, error);
            throw error;
          })
          .finally(() => progress.finish());
        finishSync(result, flags, "fetched", TRANSFER_FAILED.fetch, "download");
      },
    );
}

function finishSync(
  result: SyncResult,
  flags: SyncFlags,
  verb: string,
  errorPrefix: string,
  noun: "upload" | "download",
): void {
  const failed = result.failed.length > 0;
  if (flags.json === true) printJson(syncJson(result));
  else {
    reportNotPushed(result.notPushed ?? []);
    reportMissingObjects(result.missing ?? []);
    reportFailures(result.failed);
    // dvc raises its FileTransferError before its summary, and the no-remote warning is part of that.
    if (!failed) {
      reportNoRemote(result);
      process.stdout.write(`${summaryLine([[verb, result.transferred]]) || "Everything is up to date."}\n`);
    } else
      process.stderr.write(`ERROR: ${errorPrefix} - ${filesFailedMessage(result.failed.length, noun)}\n`);
  }
  if (failed) process.exitCode = 1;
}

export function pullCommand(): Command {
  return withSyncOptions(new Command("pull"))
    .description("fetch, then checkout: bring tracked data into the workspace.")
    .option("-f, --force", "overwrite workspace changes without asking")
    .option("--allow-missing", "data the remote lacks is no error: those outs are left as they are")
    .action(async (targets: string[], flags: SyncFlags & { force?: boolean; allowMissing?: boolean }) => {
      const progress = progressReporter("Fetching", flags.json === true);
      const { pull, downloadFailures } = await transfers();
      let fetched: SyncResult | undefined;
      const result = await withDataRepo(process.cwd(), (repo) =>
        failingWith(TRANSFER_FAILED.pull, async () =>
          pull(repo, await expandedTargets(repo, targets, flags), {
            ...transferOptions(flags, progress.onProgress),
            ...(flags.force === true ? { force: true } : {}),
            stopOnFailedFetch: true,
            onFetched: (done) => (fetched = done),
          }),
        ),
      )
        .catch((error: unknown) => {
          warnOfUncollectedWorkspace(flags, error);
          if (flags.json === true || fetched === undefined || !isCheckoutRefusal(error)) throw error;
          // dvc's pull logs its fetch's warnings, then the checkout's refusal as its own error (exit 1).
          reportMissingObjects(fetched.missing ?? []);
          process.stderr.write(`ERROR: ${error.message}\n`);
          process.exitCode = 1;
          return undefined;
        })
        .finally(() => progress.finish());
      if (result === undefined) return;
      // As dvc: --allow-missing lets outs whose objects are absent pass checkout; a directory's file that the
      // remote lacks is still a failed download, which ends the pull before checkout.
      if (flags.allowMissing === true)
        result.checkout.failed = result.checkout.failed.filter((failure) => failure.missing !== true);
      const checkout = checkoutCounts(result.checkout);
      const failures = result.fetch.failed.length + checkout.failed.length;
      if (flags.json === true) {
        printJson({ fetch: syncJson(result.fetch), checkout: result.checkout });
      } else if (downloadFailures(result.fetch).length > 0) {
        // dvc's DownloadError: no checkout, so neither change lines nor a summary.
        reportMissingObjects(result.fetch.missing ?? []);
        reportFailures(result.fetch.failed);
        process.stderr.write(
          `ERROR: ${TRANSFER_FAILED.pull} - ${filesFailedMessage(result.fetch.failed.length, "download")}\n`,
        );
      } else {
        reportMissingObjects(result.fetch.missing ?? []);
        // A versioned import's lost version: named here, then its out fails checkout below.
        reportFailures(result.fetch.failed);
        for (const line of checkout.lines) process.stdout.write(`${line}\n`);
        reportNoRemote(result.fetch);
        const summary = summaryLine([
          // dvc's pull puts the fetched count before checkout's stats, which are modified, added, deleted.
          ["fetched", result.fetch.transferred],
          ["modified", checkout.modified],
          ["added", checkout.added],
          ["deleted", checkout.deleted],
        ]);
        process.stdout.write(`${summary || "Everything is up to date."}\n`);
        // As dvc: an out that could not be checked out is the failure (its missing objects are why).
        if (result.checkout.failed.length > 0) {
          for (const warning of noHashWarnings(result.checkout.failed)) process.stderr.write(`${warning}\n`);
          process.stderr.write(
            `ERROR: ${TRANSFER_FAILED.pull} - ${checkoutFailedMessage(checkout.failed)}\n`,
          );
        }
      }
      if (failures > 0) process.exitCode = 1;
    });
}

/**
 * checkout's refusal to remove files the cache lacks ("Can't remove the following unsaved files without
 * confirmation"), which dvc's pull and checkout print as `ERROR: <message>` rather than as a crash.
 */
export function isCheckoutRefusal(error: unknown): error is FlowOpsError {
  return error instanceof FlowOpsError && error.code === "ABORTED";
}

/** File counts and DVC-style change lines ("A       data/", one per out) from a checkout summary. */
function checkoutCounts(summary: CheckoutSummary): {
  added: number;
  deleted: number;
  modified: number;
  lines: string[];
  failed: string[];
} {
  // dvc's `log_changes`: modified, then added, then the unused links removed.
  const lines = [
    ...summary.modified.map((path) => `M       ${path}`),
    ...summary.added.map((path) => `A       ${path}`),
    ...summary.removed.map((path) => `D       ${path}`),
  ];
  return {
    ...summary.stats,
    lines,
    failed: summary.failed.map(checkoutFailureLine),
  };
}
