/**
 * `flowops data init|add|status|checkout|ls|diff|remote|config|push|pull|fetch|gc|log`: DVC-compatible data
 * versioning. Wiring only: each subcommand opens the repo, calls the data layer, and prints text (what dvc
 * prints, where it prints something useful) or JSON with --json. Progress goes to stderr, never with --json.
 */
import { Command } from "commander";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { FlowOpsError, invalidParameter } from "../errors.js";
import { configFileOption, remoteConfigOption } from "./keyValueOption.js";
import { levelOption } from "./numberOptions.js";
import type { CheckoutSummary } from "../data/checkoutTargets.js";
import { noHashWarnings } from "../data/noHashWarnings.js";
import { closeDataRepo, initDataRepo, withDataRepo } from "../data/dataRepo.js";
import { dataLogCommand } from "./dataLog.js";
import { remoteCommand } from "./dataRemote.js";
import { cacheCommand, configCommand } from "./dataConfig.js";
import { DVC_EXIT } from "./dvcExitCodes.js";
import { statusCommand } from "./dataStatusCommand.js";
import { addCommand } from "./dataAdd.js";
import { commitCommand } from "./dataCommit.js";
import { removeCommand, unprotectCommand } from "./dataRemove.js";
import { moveCommand } from "./dataMove.js";
import { checkIgnoreCommand } from "./dataCheckIgnore.js";
import { freezeCommand } from "./dataFreeze.js";
import { duCommand, getCommand, getUrlCommand, lsUrlCommand } from "./dataGet.js";
import { importCommand, importUrlCommand, updateCommand } from "./dataImport.js";
import { gcCommand } from "./dataGc.js";
import { fetchCommand, isCheckoutRefusal, pullCommand, pushCommand, summaryLine } from "./dataTransfer.js";
import { formatMarkdownTable, printDvcJson, printJson } from "./output.js";
import { createProgress } from "./progressBar.js";
import { checkoutFailedMessage, checkoutFailureLine } from "../data/checkoutFailedMessage.js";
import { rootCommand } from "./dataRoot.js";
import { destroyCommand } from "./dataDestroy.js";
import { installCommand } from "./dataInstall.js";
import { gitHookCommand } from "./dataGitHook.js";

interface JsonOption {
  json?: boolean;
}

function progressFor(
  label: string,
  json: boolean | undefined,
): {
  onProgress: (bytes: number) => void;
  done: () => void;
} {
  const sink = createProgress(label, undefined, { enabled: json !== true, unit: "bytes" });
  return { onProgress: (bytes) => sink.advance(bytes), done: () => sink.done() };
}

function initCommand(): Command {
  return new Command("init")
    .description("Initialize a DVC repository here (writes .dvc/ and .dvcignore as `dvc init` does).")
    .option("--no-scm", "initialize without Git (no .gitignore entries are written)")
    .option("-f, --force", "recreate .dvc/ if it exists (its cache and config are lost)", false)
    .option(
      "--subdir",
      "initialize inside a subdirectory of a parent Git repository (a monorepo project)",
      false,
    )
    .option("--json", "print machine-readable JSON", false)
    .action(async (opts: JsonOption & { scm: boolean; force: boolean; subdir: boolean }) => {
      // dvc raises this one past its command (exit 255), unlike init's other errors (exit 1).
      if (!opts.scm && opts.subdir) {
        process.stderr.write("ERROR: Cannot initialize repo with `--no-scm` and `--subdir`\n");
        process.exitCode = DVC_EXIT.raised;
        return;
      }
      const repo = await initDataRepo(process.cwd(), {
        noScm: !opts.scm,
        force: opts.force,
        subdir: opts.subdir,
      });
      const result = { root: repo.root, scm: repo.scm };
      closeDataRepo(repo);
      if (opts.json === true) return printJson(result);
      process.stdout.write(
        `Initialized DVC repository in ${result.root}.\n` +
          (result.scm ? "\nYou can now commit the changes to git.\n" : ""),
      );
    });
}

/**
 * dvc's `log_changes`: every modified out, then every added one, then every unused link removed, each list in
 * dvc's order (checkoutChangeOrder); files removed inside a directory are its "M".
 */
function printCheckout(summary: CheckoutSummary): void {
  const lines = [
    ...summary.modified.map((p) => `M       ${p}`),
    ...summary.added.map((p) => `A       ${p}`),
    ...summary.removed.map((p) => `D       ${p}`),
  ];
  if (lines.length > 0) process.stdout.write(`${lines.join("\n")}\n`);
}

interface CheckoutCliOptions {
  force: boolean;
  relink: boolean;
  summary: boolean;
  allowMissing: boolean;
  withDeps: boolean;
  recursive: boolean;
}

/**
 * dvc's `checkout --summary` line (`get_summary` over its stats, sorted by state): "1 file added and 2 files
 * modified", counting outs; "No changes." when nothing changed.
 */
function checkoutSummaryLine(summary: CheckoutSummary): string {
  return (
    summaryLine([
      ["added", summary.added.length],
      ["deleted", summary.removed.length],
      ["modified", summary.modified.length],
    ]) || "No changes."
  );
}

function checkoutCommand(): Command {
  return new Command("checkout")
    .description("Restore tracked outputs (of .dvc files and dvc.lock) in the workspace from the cache.")
    .argument(
      "[targets...]",
      ".dvc files, stage names (train, sub/dvc.yaml:train) or tracked paths (default: all)",
    )
    .option("-f, --force", "overwrite or remove workspace content that is not in the cache", false)
    .option("--relink", "recreate links or copies from the cache even where content matches", false)
    .option("--summary", "print a one-line summary instead of each changed path", false)
    .option("--allow-missing", "leave out, silently, outs whose data the cache lacks", false)
    .option(
      "-d, --with-deps",
      "also the outputs of the stages and .dvc files that stage targets depend on",
      false,
    )
    .option("-R, --recursive", "a directory target selects every stage and .dvc file inside it", false)
    .option("--json", "print machine-readable JSON", false)
    .action(async (targets: string[], opts: JsonOption & CheckoutCliOptions) => {
      await withDataRepo(process.cwd(), async (repo) => {
        // dvc loads the dvc.yaml a stage target names before its index (a -R directory goes to the index).
        if (targets.length > 0 && !opts.recursive) {
          const { checkTargetPipelineFiles } = await import("../pipelines/gitIgnoredPipelineFiles.js");
          checkTargetPipelineFiles(repo, process.cwd(), targets);
        }
        const expanded = await (
          await import("../data/targetExpansion.js")
        ).expandDataTargets(repo, targets, { withDeps: opts.withDeps, recursive: opts.recursive });
        const progress = progressFor("Checking out", opts.json);
        const summary = await (
          await import("../data/checkoutTargets.js")
        )
          .checkoutTargets(repo, expanded, {
            force: opts.force,
            relink: opts.relink,
            onProgress: progress.onProgress,
          })
          .finally(progress.done)
          .catch((error: unknown) => {
            if (opts.json === true || !isCheckoutRefusal(error)) throw error;
            // dvc's checkout lets its refusal reach its main, which logs it as `ERROR: <message>`.
            process.stderr.write(`ERROR: ${error.message}\n`);
            process.exitCode = DVC_EXIT.raised;
            return undefined;
          });
        if (summary === undefined) return;
        // As dvc: --allow-missing lets outs whose objects are absent pass; corrupt ones still fail.
        if (opts.allowMissing) summary.failed = summary.failed.filter((failure) => failure.missing !== true);
        if (opts.json === true) printJson(summary);
        else if (opts.summary) process.stdout.write(`${checkoutSummaryLine(summary)}\n`);
        else printCheckout(summary);
        if (summary.failed.length > 0) {
          for (const warning of noHashWarnings(summary.failed)) process.stderr.write(`${warning}\n`);
          process.stderr.write(`ERROR: ${checkoutFailedMessage(summary.failed.map(checkoutFailureLine))}\n`);
          process.exitCode = DVC_EXIT.raised;
        } else if (opts.relink && opts.json !== true) process.stdout.write("Relinked successfully\n");
      });
    });
}

interface LsFlags extends JsonOption {
  recursive: boolean;
  dvcOnly: boolean;
  size: boolean;
  showHash: boolean;
  tree: boolean;
  level?: number;
  rev?: string;
  remote?: string;
  config?: string;
  remoteConfig?: Record<string, string>;
}

/** Whether `url` names a repository (dvc's `ls <url>`) rather than a path of this one (our older `ls <path>`). */
function namesRepository(url: string, path: string | undefined, opts: LsFlags): boolean {
  if (path !== undefined || opts.rev !== undefined) return true;
  const abs = resolve(url);
  if (!existsSync(abs)) return true;
  return existsSync(join(abs, ".dvc")) || existsSync(join(abs, ".git"));
}

function lsCommand(): Command {
  return new Command("ls")
    .description(
      "List a repository's files and directories with DVC outputs marked, as dvc ls: <url> is a local " +
        "repository (its workspace, or --rev) or a Git URL (cloned); without it, this workspace.",
    )
    .argument("[url]", "the repository: a local directory or a Git URL (default: this one)")
    .argument("[path]", "a directory or file inside it (default: its root)")
    .option("-R, --recursive", "list directories recursively", false)
    .option("--dvc-only", "only tracked outputs", false)
    .addOption(levelOption())
    .option("-T, --tree", "recurse into directories as a tree", false)
    .option("--size", "show sizes", false)
    .option("--show-hash", "show the md5 of each output", false)
    .option("--rev <commit>", "a Git revision of the repository (branch, tag, SHA)")
    .option("--remote <name>", "the repository's remote to read directory manifests from (default: its own)")
    .addOption(configFileOption())
    .addOption(remoteConfigOption())
    .option("--json", "print machine-readable JSON", false)
    .action(async (url: string | undefined, path: string | undefined, opts: LsFlags) => {
      if (opts.tree && opts.json === true) {
        throw invalidParameter("Cannot use --tree and --json options together.");
      }
      const listing = {
        tree: opts.tree,
        recursive: opts.recursive,
        dvcOnly: opts.dvcOnly,
        ...(opts.level !== undefined ? { level: opts.level } : {}),
      };
      let entries;
      if (url !== undefined && namesRepository(url, path, opts)) {
        const { listRepository } = await import("../data/listRevision.js");
        try {
          entries = await listRepository(url, path, process.cwd(), {
            ...listing,
            ...(opts.rev !== undefined ? { rev: opts.rev } : {}),
            ...(opts.remote !== undefined ? { remote: opts.remote } : {}),
            ...(opts.config !== undefined ? { config: opts.config } : {}),
            ...(opts.remoteConfig !== undefined ? { remoteConfig: opts.remoteConfig } : {}),
          });
        } catch (error) {
          throw error instanceof FlowOpsError
            ? new FlowOpsError(error.code, `failed to list '${url}' - ${error.message}`, { cause: error })
            : error;
        }
      } else {
        entries = await withDataRepo(process.cwd(), async (repo) =>
          (await import("../data/listTracked.js")).listTracked(repo, url ?? ".", listing),
        );
      }
      if (opts.json === true) return printDvcJson(entries);
      if (entries.length === 0) return;
      const columns = { size: opts.size, hash: opts.showHash };
      const { formatListing, formatTree } = await import("../data/listingTable.js");
      if (opts.tree) process.stdout.write(`${formatTree(entries, columns)}\n`);
      else if (opts.size || opts.showHash) process.stdout.write(`${formatListing(entries, columns)}\n`);
      else process.stdout.write(`${entries.map((e) => e.path).join("\n")}\n`);
    });
}

function diffCommand(): Command {
  return new Command("diff")
    .description("Show tracked data changes between two Git revisions (default HEAD and the workspace).")
    .argument("[a_rev]", "old revision", "HEAD")
    .argument("[b_rev]", "new revision (default: the workspace)")
    .option("--targets <paths...>", "only these tracked paths")
    .option("--show-hash", "include hashes", false)
    .option("--hide-missing", "leave out the outputs not in the cache", false)
    .option("--md", "print a Markdown table", false)
    .option("--json", "print machine-readable JSON", false)
    .action(
      async (
        aRev: string,
        bRev: string | undefined,
        opts: JsonOption & { targets?: string[]; showHash: boolean; hideMissing: boolean; md: boolean },
      ) => {
        await withDataRepo(process.cwd(), async (repo) => {
          const { diffRevisions, diffTableRows, formatDiff, isEmptyDiff } =
            await import("../data/diffRevisions.js");
          const diff = await diffRevisions(repo, aRev, bRev, {
            showHash: opts.showHash,
            ...(opts.targets !== undefined ? { targets: opts.targets } : {}),
          });
          if (opts.hideMissing) delete diff["not in cache"];
          if (opts.json === true) return printDvcJson(isEmptyDiff(diff) ? {} : diff);
          if (opts.md) {
            const { header, rows } = diffTableRows(diff, opts.showHash);
            return process.stdout.write(formatMarkdownTable(header, rows));
          }
          process.stdout.write(formatDiff(diff));
        });
      },
    );
}

export function dataCommand(): Command {
  const command = new Command("data").description(
    "Version data with DVC-compatible .dvc files, cache and remotes (init, add, status, checkout, push, pull...).",
  );
  command.addCommand(initCommand());
  command.addCommand(addCommand());
  command.addCommand(statusCommand());
  command.addCommand(checkoutCommand());
  command.addCommand(commitCommand());
  command.addCommand(removeCommand());
  command.addCommand(moveCommand());
  command.addCommand(unprotectCommand());
  command.addCommand(freezeCommand(true));
  command.addCommand(freezeCommand(false));
  command.addCommand(getCommand());
  command.addCommand(getUrlCommand());
  command.addCommand(lsUrlCommand());
  command.addCommand(duCommand());
  command.addCommand(importCommand());
  command.addCommand(importUrlCommand());
  command.addCommand(updateCommand());
  command.addCommand(checkIgnoreCommand());
  command.addCommand(lsCommand());
  command.addCommand(diffCommand());
  command.addCommand(remoteCommand());
  command.addCommand(configCommand());
  command.addCommand(cacheCommand());
  command.addCommand(pushCommand());
  command.addCommand(pullCommand());
  command.addCommand(fetchCommand());
  command.addCommand(gcCommand());
  command.addCommand(dataLogCommand());
  command.addCommand(rootCommand());
  command.addCommand(destroyCommand());
  command.addCommand(installCommand());
  command.addCommand(gitHookCommand());
  return command;
}
