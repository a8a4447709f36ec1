/**
 * `flowops data import-url` and `data update` (dvc's `import-url` and `update`); the work is
 * data/importUrl.ts and data/updateImports.ts. Failures carry dvc's sentences around the cause.
 */
import { Command, Option } from "commander";
import { relative, sep } from "node:path";
import { withDataRepo, type DataRepo } from "../data/dataRepo.js";
import type { ImportMode } from "../data/importStage.js";
import { FlowOpsError, invalidParameter } from "../errors.js";
import { reportFilesToTrack } from "./gitReminder.js";
import { DVC_EXIT } from "./dvcExitCodes.js";
import { configFileOption, fsConfigOption, remoteConfigOption } from "./keyValueOption.js";
import { positiveInteger } from "./numberOptions.js";
import { printJson } from "./output.js";
import { createProgress } from "./progressBar.js";

interface TransferFlags {
  /** False with --no-download (commander's negated option). */
  download?: boolean;
  toRemote?: boolean;
  remote?: string;
  jobs?: number;
  json?: boolean;
}

const rel = (path: string): string => relative(process.cwd(), path).split(sep).join("/") || ".";
const importing = (source: string, out: string): void => {
  process.stdout.write(`Importing '${source}' -> '${out}'\n`);
};

function transferOptions(command: Command): Command {
  return command
    .option("--no-download", "hash the source and record it, but do not download the data")
    .option("--to-remote", "send the data straight to a remote: nothing lands in the cache or workspace")
    .option("-r, --remote <name>", "with --to-remote: the remote (default: core.remote)")
    .addOption(new Option("-j, --jobs <n>", "uploads at once").argParser(positiveInteger))
    .option("--json", "print machine-readable JSON", false);
}

/** dvc's checks of --to-remote against the other transfer options, and the mode they choose. */
function importMode(opts: TransferFlags & { noExec?: boolean }, noDownloadConflict: string): ImportMode {
  if (opts.toRemote === true) {
    if (opts.download === false || opts.noExec === true) throw invalidParameter(noDownloadConflict);
    return {
      kind: "to-remote",
      ...(opts.remote !== undefined ? { remote: opts.remote } : {}),
      ...(opts.jobs !== undefined ? { jobs: opts.jobs } : {}),
    };
  }
  if (opts.remote !== undefined) throw invalidParameter("--remote can't be used without --to-remote");
  return opts.download === false ? { kind: "no-download" } : { kind: "download" };
}

/** What an import wrote: as JSON, or dvc's reminder to `git add` the `.dvc` file and `.gitignore`. */
async function reportImported(
  repo: DataRepo,
  result: { path: string; dvcFile: string; gitignore?: string },
  json: boolean,
): Promise<void> {
  if (json) {
    printJson({
      path: rel(result.path),
      dvc_file: rel(result.dvcFile),
      ...(result.gitignore !== undefined ? { gitignore: rel(result.gitignore) } : {}),
    });
    return;
  }
  const files = [result.dvcFile, ...(result.gitignore !== undefined ? [result.gitignore] : [])];
  await reportFilesToTrack(repo, files.map(rel), process.cwd());
}

/** dvc's commands catch their errors and print one line with the cause after ` - `. */
function wrapped(sentence: string, error: unknown): unknown {
  return error instanceof FlowOpsError
    ? new FlowOpsError(error.code, `${sentence} - ${error.message}`, { cause: error })
    : error;
}

export function importCommand(): Command {
  return new Command("import")
    .description(
      "Bring a file or directory of another repository (a local path or a Git URL) in at a fixed commit, " +
        "tracked by <out>.dvc with the repository as its dep (dvc import); `data update` moves it on.",
    )
    .argument("<url>", "the repository: a local directory or a Git URL")
    .argument("<path>", "a file or directory inside it (a DVC output or a Git-tracked file)")
    .option("-o, --out <path>", "where to put it in the workspace (a directory: under the path's name)")
    .option("--rev <commit>", "a Git revision of the repository (branch, tag, SHA); its HEAD by default")
    .option("-f, --force", "replace what is already at the destination")
    .option("--no-exec", "only write the .dvc file: no commit resolved, no data")
    .addOption(
      new Option(
        "--no-download",
        "record the commit (rev_lock) but fetch no data; `data update` brings it",
      ).conflicts("exec"),
    )
    .addOption(new Option("-j, --jobs <n>", "files copied at once").argParser(positiveInteger))
    .option(
      "--remote <name>",
      "the repository's remote to download from (default: its own default), kept in the .dvc for `data update`",
    )
    .addOption(configFileOption())
    .addOption(remoteConfigOption())
    .option("--json", "print machine-readable JSON", false)
    .action(
      async (
        url: string,
        path: string,
        opts: {
          out?: string;
          rev?: string;
          force?: boolean;
          exec?: boolean;
          download?: boolean;
          jobs?: number;
          remote?: string;
          config?: string;
          remoteConfig?: Record<string, string>;
          json?: boolean;
        },
      ) => {
        if (opts.config !== undefined && opts.remote !== undefined && opts.remoteConfig !== undefined) {
          // dvc's ValueError for this escapes its command: an unexpected error, exit 255, nothing written.
          process.stderr.write(
            "ERROR: unexpected error - Can't specify config path together with both remote and remote_config\n",
          );
          process.exitCode = DVC_EXIT.raised;
          return;
        }
        await withDataRepo(process.cwd(), async (repo) => {
          const { importRepo } = await import("../data/importRepo.js");
          let result;
          try {
            result = await importRepo(repo, url, path, opts.out, {
              ...(opts.rev !== undefined ? { rev: opts.rev } : {}),
              ...(opts.jobs !== undefined ? { jobs: opts.jobs } : {}),
              ...(opts.force === true ? { force: true } : {}),
              ...(opts.exec === false ? { noExec: true } : {}),
              ...(opts.download === false ? { noDownload: true } : {}),
              ...(opts.remote !== undefined ? { remote: opts.remote } : {}),
              ...(opts.config !== undefined ? { config: opts.config } : {}),
              ...(opts.remoteConfig !== undefined ? { remoteConfig: opts.remoteConfig } : {}),
              ...(opts.json === true ? {} : { onImporting: importing }),
            });
          } catch (error) {
            // dvc's CloneError names the path alone; any other failure, the path and where from.
            throw wrapped(
              (await import("../data/sourceRepo.js")).isCloneError(error)
                ? `failed to import '${path}'`
                : `failed to import '${path}' from '${url}'.`,
              error,
            );
          }
          await reportImported(repo, result, opts.json === true);
        });
      },
    );
}

export function importUrlCommand(): Command {
  return transferOptions(
    new Command("import-url")
      .description(
        "Copy a file or directory from outside the workspace into it and track where it came from (<out>.dvc " +
          "with the source as a dep); `data update` brings it up to date. Local paths, http(s) URLs, s3:// objects or prefixes, and " +
          "remote://name/path inside a configured remote.",
      )
      .argument(
        "<url>",
        "the source: a local path (absolute, or relative to the cwd), an http(s) URL, s3://bucket/key " +
          "(AWS_ENDPOINT_URL and AWS_* as for dvc), or remote://name/path",
      )
      .argument("[out]", "where to put it in the workspace (a directory: under the source's name)")
      .option("-f, --force", "replace what is already at the destination")
      // dvc's argparse makes the two a mutually exclusive group: a usage error (exit 254).
      .addOption(
        new Option("--no-exec", "only write the .dvc file: no hashing, no data").conflicts("download"),
      )
      .addOption(
        fsConfigOption(
          "options of the source's filesystem, kept in the .dvc file (s3: endpointurl, region, profile, " +
            "access_key_id, secret_access_key, ssl_verify...)",
        ),
      )
      .option(
        "--version-aware",
        "s3: record each object's version id, so `data update` notices new versions and the recorded " +
          "ones can be fetched again after an overwrite (the out is marked push: false)",
      ),
  ).action(
    async (
      url: string,
      out: string | undefined,
      opts: TransferFlags & {
        force?: boolean;
        exec?: boolean;
        versionAware?: boolean;
        fsConfig?: Record<string, string>;
      },
    ) => {
      const noExec = opts.exec === false;
      const failed = `failed to import ${url}. You could also try downloading it manually, and adding it with \`dvc add\`.`;
      let mode: ImportMode;
      try {
        // dvc checks the transfer options inside `imp_url`, so its command wraps these errors too.
        mode = importMode(
          { ...opts, noExec },
          "--no-exec/--no-download/--version-aware cannot be combined with --to-remote",
        );
      } catch (error) {
        throw wrapped(failed, error);
      }
      await withDataRepo(process.cwd(), async (repo) => {
        const { importUrl } = await import("../data/importUrl.js");
        const sink = createProgress("Importing", undefined, { enabled: opts.json !== true, unit: "bytes" });
        let result;
        try {
          result = await importUrl(repo, url, out, {
            mode,
            noExec,
            ...(opts.versionAware === true ? { versionAware: true } : {}),
            ...(opts.fsConfig !== undefined ? { fsConfig: opts.fsConfig } : {}),
            ...(opts.force === true ? { force: true } : {}),
            ...(opts.json === true ? {} : { onImporting: importing }),
            onProgress: (bytes) => sink.advance(bytes),
          });
        } catch (error) {
          throw wrapped(failed, error);
        } finally {
          sink.done();
        }
        await reportImported(repo, result, opts.json === true);
      });
    },
  );
}

export function updateCommand(): Command {
  return transferOptions(
    new Command("update")
      .description(
        "Bring imports (.dvc files written by import-url or import) up to date with their sources; unchanged " +
          "ones are skipped.",
      )
      .argument("<targets...>", ".dvc files to update (with -R: directories too)")
      .option(
        "--rev <commit>",
        "imports from another repository: follow this Git revision from now on; a version-aware s3 " +
          "object import: import this version id",
      )
      .option("-R, --recursive", "a directory target updates every import inside it", false),
  ).action(async (targets: string[], opts: TransferFlags & { recursive: boolean; rev?: string }) => {
    const mode = importMode(opts, "--to-remote can't be used with --no-download");
    await withDataRepo(process.cwd(), async (repo) => {
      const { updateImports } = await import("../data/updateImports.js");
      const sink = createProgress("Updating", undefined, { enabled: opts.json !== true, unit: "bytes" });
      const say = (line: string): void => {
        if (opts.json !== true) process.stdout.write(`${line}\n`);
      };
      let updated: string[];
      try {
        updated = await updateImports(repo, targets, {
          mode,
          recursive: opts.recursive,
          ...(opts.rev !== undefined ? { rev: opts.rev } : {}),
          ...(opts.jobs !== undefined ? { jobs: opts.jobs } : {}),
          onImporting: (source, out) => say(`Importing '${source}' -> '${out}'`),
          onSkipped: say,
          warn: (message) => process.stderr.write(`WARNING: ${message}\n`),
          onProgress: (bytes) => sink.advance(bytes),
        });
      } catch (error) {
        throw wrapped("failed update data", error);
      } finally {
        sink.done();
      }
      if (opts.json === true) printJson({ updated: updated.map(rel) });
    });
  });
}
