/**
 * `flowops data get` (dvc's `get`): copies a file or directory of another repository into this directory;
 * the work is data/getFromRepo.ts. It needs no DVC repository here. Failures carry dvc's sentence around
 * the cause.
 */
import { Command, Option } from "commander";
import { relative } from "node:path";
import { FlowOpsError } from "../errors.js";
import { configFileOption, fsConfigOption, remoteConfigOption } from "./keyValueOption.js";
import { levelOption, positiveInteger } from "./numberOptions.js";
import { printJson } from "./output.js";
import { createProgress } from "./progressBar.js";

interface GetFlags {
  out?: string;
  rev?: string;
  force: boolean;
  jobs?: number;
  remote?: string;
  config?: string;
  remoteConfig?: Record<string, string>;
  showUrl: boolean;
  json: boolean;
}

/** dvc's commands catch their errors and print one line with the cause after ` - `. */
function wrapped(sentence: string, error: unknown): unknown {
  return error instanceof FlowOpsError
    ? new FlowOpsError(error.code, `${sentence} - ${error.message}`, { cause: error })
    : error;
}

async function showUrl(url: string, path: string, opts: GetFlags): Promise<void> {
  const { remoteObjectUrl } = await import("../data/remoteObjectUrl.js");
  const found = await remoteObjectUrl(url, path, process.cwd(), {
    ...(opts.rev !== undefined ? { rev: opts.rev } : {}),
    ...(opts.remote !== undefined ? { remote: opts.remote } : {}),
    ...(opts.remoteConfig !== undefined ? { remoteConfig: opts.remoteConfig } : {}),
  });
  if (opts.json) printJson({ url: found });
  else process.stdout.write(`${found}\n`);
}

export function getCommand(): Command {
  return new Command("get")
    .description(
      "Download a file or directory that another repository tracks with DVC or Git: a local repository is " +
        "read in place (its workspace, or --rev), a Git URL through a clone; data from the workspace, the " +
        "cache or the default remote.",
    )
    .argument("<url>", "the repository: a local directory or a Git URL")
    .argument("<path>", "a file or directory inside it")
    .option("-o, --out <path>", "where to put it (an existing directory: under the path's name)")
    .option("--rev <commit>", "a Git revision of the repository (branch, tag, SHA)")
    .option("-f, --force", "replace what is already at the destination", false)
    .addOption(new Option("-j, --jobs <n>", "files copied at once").argParser(positiveInteger))
    .option("--remote <name>", "the repository's remote to download missing objects from (default: its own)")
    .addOption(configFileOption())
    .addOption(remoteConfigOption())
    .option("--show-url", "print where the remote keeps the data (an out, or a file in one) and exit", false)
    .option("--json", "print machine-readable JSON", false)
    .action(async (url: string, path: string, opts: GetFlags) => {
      if (opts.showUrl) return showUrl(url, path, opts);
      const { getFromRepo } = await import("../data/getFromRepo.js");
      const sink = createProgress("Downloading", undefined, { enabled: !opts.json });
      let copied = 0;
      let result;
      try {
        result = await getFromRepo(url, path, process.cwd(), {
          ...(opts.out !== undefined ? { out: opts.out } : {}),
          ...(opts.rev !== undefined ? { rev: opts.rev } : {}),
          ...(opts.jobs !== undefined ? { jobs: opts.jobs } : {}),
          ...(opts.remote !== undefined ? { remote: opts.remote } : {}),
          ...(opts.config !== undefined ? { config: opts.config } : {}),
          ...(opts.remoteConfig !== undefined ? { remoteConfig: opts.remoteConfig } : {}),
          force: opts.force,
          onProgress: (done) => {
            sink.advance(done - copied);
            copied = done;
          },
        });
      } catch (error) {
        // dvc's CloneError names the path alone; any other failure, the path and where from.
        throw wrapped(
          (await import("../data/sourceRepo.js")).isCloneError(error)
            ? `failed to get '${path}'`
            : `failed to get '${path}' from '${url}'`,
          error,
        );
      } finally {
        sink.done();
      }
      if (opts.json) {
        printJson({
          path: relative(process.cwd(), result.out),
          files: result.files,
          downloaded: result.downloaded,
        });
      }
    });
}

/** `flowops data du` (dvc's `du`): sizes of a path of a repository, as `get` would see it. */
export function duCommand(): Command {
  return new Command("du")
    .description(
      "Show disk usage of a path of a repository (a local directory or a Git URL), as dvc du: each entry of a " +
        "directory and the total, DVC outputs by the size their .dvc file or dvc.lock records.",
    )
    .argument("<url>", "the repository: a local directory or a Git URL")
    .argument("[path]", "a directory or file inside it (default: the whole repository)")
    .option("--rev <commit>", "a Git revision of the repository (branch, tag, SHA)")
    .option("-s, --summarize", "show the total only", false)
    .option("--remote <name>", "the repository's remote to read directory manifests from (default: its own)")
    .addOption(configFileOption())
    .addOption(remoteConfigOption())
    .option("--json", "print machine-readable JSON: [{path, size}]", false)
    .action(
      async (
        url: string,
        path: string | undefined,
        opts: {
          rev?: string;
          summarize: boolean;
          remote?: string;
          config?: string;
          remoteConfig?: Record<string, string>;
          json: boolean;
        },
      ) => {
        const { diskUsage, formatDiskUsage } = await import("../data/diskUsage.js");
        const entries = await diskUsage(url, path, process.cwd(), {
          ...(opts.rev !== undefined ? { rev: opts.rev } : {}),
          ...(opts.remote !== undefined ? { remote: opts.remote } : {}),
          ...(opts.config !== undefined ? { config: opts.config } : {}),
          ...(opts.remoteConfig !== undefined ? { remoteConfig: opts.remoteConfig } : {}),
          summarize: opts.summarize,
        });
        if (opts.json) printJson(entries.map((entry) => ({ path: entry.path, size: entry.bytes })));
        else process.stdout.write(`${formatDiskUsage(entries)}\n`);
      },
    );
}

/** `flowops data get-url` (dvc's `get-url`): download what a URL holds; the work is data/getUrl.ts. */
export function getUrlCommand(): Command {
  return new Command("get-url")
    .description(
      "Download or copy a file or directory from a URL (a local path, http(s), s3:// or remote://name/path), " +
        "tracked by nothing, as dvc get-url.",
    )
    .argument("<url>", "the source (see `data import-url --help` for the URLs read)")
    .argument("[out]", "where to put it (an existing directory: under the source's name)")
    .option("-f, --force", "replace what is already at the destination", false)
    .addOption(fsConfigOption("options of the source's filesystem (s3: endpointurl, region...)"))
    .option("--json", "print machine-readable JSON", false)
    .action(
      async (
        url: string,
        out: string | undefined,
        opts: { force: boolean; fsConfig?: Record<string, string>; json: boolean },
      ) => {
        const { getUrl } = await import("../data/getUrl.js");
        const sink = createProgress("Downloading", undefined, { enabled: !opts.json, unit: "bytes" });
        let result;
        try {
          result = await getUrl(url, out, process.cwd(), {
            force: opts.force,
            ...(opts.fsConfig !== undefined ? { fsConfig: opts.fsConfig } : {}),
            onBytes: (bytes) => sink.advance(bytes),
          });
        } catch (error) {
          throw wrapped(`failed to get '${url}'`, error);
        } finally {
          sink.done();
        }
        if (opts.json) printJson({ path: relative(process.cwd(), result.out) });
      },
    );
}

/** `flowops data ls-url` (dvc's `list-url`/`ls-url`): what a URL holds; the work is data/listUrl.ts. */
export function lsUrlCommand(): Command {
  return new Command("ls-url")
    .alias("list-url")
    .description(
      "List the contents of a URL (a local path, s3:// prefix, http(s) file or remote://name/path).",
    )
    .argument("<url>", "the URL (see `data import-url --help` for the URLs read)")
    .option("-R, --recursive", "list files below directories too", false)
    .addOption(levelOption())
    .option("-T, --tree", "recurse into directories as a tree", false)
    .option("--size", "show sizes", false)
    .addOption(fsConfigOption("options of the source's filesystem (s3: endpointurl, region...)"))
    .option("--json", "print machine-readable JSON: [{path, isdir, size}]", false)
    .action(
      async (
        url: string,
        opts: {
          recursive: boolean;
          tree: boolean;
          level?: number;
          size: boolean;
          fsConfig?: Record<string, string>;
          json: boolean;
        },
      ) => {
        const { listUrl } = await import("../data/listUrl.js");
        let entries;
        try {
          entries = await listUrl(url, process.cwd(), {
            recursive: opts.recursive,
            tree: opts.tree,
            ...(opts.level !== undefined ? { level: opts.level } : {}),
            ...(opts.fsConfig !== undefined ? { fsConfig: opts.fsConfig } : {}),
          });
        } catch (error) {
          throw wrapped(`failed to list '${url}'`, error);
        }
        if (opts.json) return printJson(entries);
        if (entries.length === 0) return;
        const { formatListing, formatTree } = await import("../data/listingTable.js");
        const listed = entries.map((entry) => ({ ...entry, isout: false, isexec: false, md5: null }));
        const columns = { size: opts.size };
        if (opts.tree) process.stdout.write(`${formatTree(listed, columns)}\n`);
        else if (opts.size) process.stdout.write(`${formatListing(listed, columns)}\n`);
        else process.stdout.write(`${entries.map((entry) => entry.path).join("\n")}\n`);
      },
    );
}
