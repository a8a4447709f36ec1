/**
 * `get --show-url`: where a repository's remote keeps the data of a path (dvc's `api.get_url`): the object of
 * an out, or of a file inside a directory out (the directory's own `.dir` object for the whole directory),
 * under the default remote or the one named. Like dvc it does not check that the object is there.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FlowOpsError } from "../errors.js";
import { openDataRemote } from "./dataRemote.js";
import { isDirOid, objectKey, type Oid } from "./hashInfo.js";
import { repoOuts } from "./repoView.js";
import { givenSourceConfig } from "./sourceConfig.js";
import { ObjectSupply } from "./sourceObjects.js";
import { gitRevisionExists, openSource, repoPath } from "./sourceRepo.js";

export interface ObjectUrlOptions {
  rev?: string;
  remote?: string;
  /** dvc's `--remote-config` (sourceConfig.ts); like dvc's `get --show-url`, no `--config`. */
  remoteConfig?: Record<string, string>;
}

function notAnOutput(path: string): FlowOpsError {
  return new FlowOpsError("RESOURCE_DOES_NOT_EXIST", `Unable to find DVC file with output '${path}'`);
}

export async function remoteObjectUrl(
  url: string,
  path: string,
  cwd: string,
  options: ObjectUrlOptions = {},
): Promise<string> {
  const scratch = await mkdtemp(join(tmpdir(), "flowops-get-url-"));
  const config = givenSourceConfig({
    ...(options.remote !== undefined ? { remote: options.remote } : {}),
    ...(options.remoteConfig !== undefined ? { remoteConfig: options.remoteConfig } : {}),
  });
  const source = await openSource(url, options.rev, cwd, scratch, config).catch(async (error: unknown) => {
    await rm(scratch, { recursive: true, force: true });
    throw error;
  });
  const { repo, rev, root } = source;
  try {
    if (rev !== undefined && !(await gitRevisionExists(root, rev))) {
      throw new FlowOpsError("INVALID_PARAMETER_VALUE", `unknown Git revision '${rev}'`);
    }
    if (repo === undefined) throw notAnOutput(path);
    const inRepo = repoPath(path);
    const outs = (await repoOuts(repo, rev)).filter((out) => out.md5 !== undefined);
    let oid: Oid | undefined = outs.find((out) => out.path === inRepo)?.md5;
    if (oid === undefined) {
      const holder = outs.find((out) => isDirOid(out.md5!) && inRepo.startsWith(`${out.path}/`));
      if (holder === undefined) throw notAnOutput(path);
      const entries = await new ObjectSupply(repo, scratch, options).manifest(holder.md5!, holder.path);
      const rest = inRepo.slice(holder.path.length + 1);
      oid = entries.find((entry) => entry.relpath === rest)?.md5;
      if (oid === undefined) {
        throw entries.some((entry) => entry.relpath.startsWith(`${rest}/`))
          ? new FlowOpsError(
              "INVALID_PARAMETER_VALUE",
              `'${path}' is a directory inside the output '${holder.path}': only its files and the whole ` +
                "output have a URL",
            )
          : notAnOutput(path);
      }
    }
    const remote = openDataRemote(repo, options.remote);
    return remote.url.includes("://")
      ? `${remote.url.replace(/\/+$/, "")}/${objectKey(oid)}`
      : join(remote.url, objectKey(oid));
  } finally {
    repo?.state.close();
    await rm(scratch, { recursive: true, force: true });
  }
}
