/**
 * `get-url <url> [out]`: dvc's `get-url`, a copy of what a URL holds (a local path, an http(s) file, an s3
 * object or prefix, or `remote://name/path` inside a remote of the repository around the working directory)
 * to a path, tracked by nothing: `import-url` without the `.dvc` file. The sources are read by the same
 * clients as import-url's (urlSource.ts, importLocation.ts), with `--fs-config`. Everything lands in a
 * temporary sibling first and is renamed into place whole, so a failed download leaves nothing behind.
 */
import { cp, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { FlowOpsError } from "../errors.js";
import { resolveOutput } from "./addFromSource.js";
import { DVC_DIR, findDataRepoRoot } from "./dataRepo.js";
import { readDvcConfig } from "./dvcConfig.js";
import { locateImportSource, unreadableSource } from "./importLocation.js";
import { describeUrlSource } from "./urlSource.js";

export interface GetUrlOptions {
  force?: boolean;
  /** dvc's `--fs-config`: options of the source's filesystem (s3: endpointurl, region, credentials...). */
  fsConfig?: Record<string, string>;
  onBytes?: (bytes: number) => void;
}

function missing(url: string): FlowOpsError {
  return new FlowOpsError("RESOURCE_DOES_NOT_EXIST", `The path '${url}' does not exist`);
}

/**
 * The config `remote://` paths resolve in, as dvc's `Config.from_cwd`: the levels of the repository around
 * `cwd`, or the system and global ones outside any. Only the config is read: the repository's cache and
 * state are not opened for a download that never touches them.
 */
export async function cwdConfig(cwd: string): Promise<Parameters<typeof locateImportSource>[0]> {
  const root = await findDataRepoRoot(cwd);
  const dvcDir = join(root ?? cwd, DVC_DIR);
  return { dvcDir, config: await readDvcConfig(root === undefined ? undefined : dvcDir) };
}

export async function getUrl(
  url: string,
  out: string | undefined,
  cwd: string,
  options: GetUrlOptions = {},
): Promise<{ out: string }> {
  const dest = resolveOutput(url, out, cwd, options.force === true);
  const location = locateImportSource(await cwdConfig(cwd), url, cwd, options.fsConfig, cwd);
  const staging = join(dirname(dest), `.${basename(dest)}.flowops-get-url-${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  try {
    if (location.kind === "unreadable") throw unreadableSource(url, location.url);
    if (location.kind === "local") {
      const info = await stat(location.abs).catch(() => undefined);
      if (info === undefined) throw missing(url);
      await cp(location.abs, staging, { recursive: true, preserveTimestamps: false });
      options.onBytes?.(info.isFile() ? info.size : 0);
    } else {
      const source = await describeUrlSource(location.url, location.options);
      await source.download(staging, options.onBytes);
    }
    if (options.force === true) await rm(dest, { recursive: true, force: true });
    await rename(staging, dest);
    return { out: dest };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
