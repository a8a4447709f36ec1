/**
 * `update` of a `dvc import` (a `.dvc` file whose dep names a repository): dvc's `RepoDependency.update`.
 * The revision (`--rev`, else the recorded `rev`, else HEAD) is resolved again in the source repository; a new
 * commit, or an out changed here, brings the path in again at that commit (data/importRepo.ts), and the
 * `.dvc` file is rewritten over its old text with the new `rev_lock` (and `rev` when given), hashes and stage
 * md5. Otherwise it is left alone.
 */
import { rm } from "node:fs/promises";
import { resolve } from "node:path";
import { FlowOpsError, invalidParameter } from "../errors.js";
import type { DataRepo } from "./dataRepo.js";
import { outStatus } from "./dataStatus.js";
import { cwdRelative } from "./dvcTarget.js";
import { dvcFileWdir, writeDvcFile, type DvcFileDoc, type DvcOut } from "./dvcFile.js";
import { fetchRepoPath } from "./importRepo.js";
import { hashedEntry, type ImportMode } from "./importStage.js";
import { sourceCommit } from "./sourceRepo.js";
import { givenSourceConfig, sourceConfigOfDep, type SourceConfig } from "./sourceConfig.js";
import { singleStageMd5 } from "./stageMd5.js";

export interface RepoImportUpdateOptions {
  /** A new revision to follow (recorded as `rev`). */
  rev?: string;
  mode?: ImportMode;
  jobs?: number;
  onImporting?: (source: string, out: string) => void;
}

interface RepoSpec {
  url: string;
  rev?: string;
  rev_lock?: string;
  /** dvc's `import --config` (a file path) or `--remote` with `--remote-config` (a config dict). */
  config?: unknown;
  /** dvc's `import --remote` (a name) or `--remote-config` alone (the default remote's options). */
  remote?: unknown;
}

function repoSpec(file: string, dep: DvcOut): { spec: RepoSpec; source: SourceConfig } {
  const spec = dep.repo as Partial<RepoSpec> | undefined;
  if (typeof spec?.url !== "string") {
    throw new FlowOpsError("INVALID_PARAMETER_VALUE", `${file}: deps[0].repo must have a 'url'`);
  }
  return { spec: spec as RepoSpec, source: sourceConfigOfDep(spec, `${file}: deps[0].repo`) };
}

/**
 * dvc's `RepoDependency.workspace_status`: the dep as dvc names it ("path (url)") when its revision (HEAD
 * without one) names another commit than `rev_lock` now; undefined when it does not.
 */
export async function repoUpdateAvailable(dep: DvcOut, cwd: string): Promise<string | undefined> {
  const { spec } = repoSpec("a .dvc file", dep);
  // Never imported (`--no-exec`): dvc compares the revision with itself.
  if (spec.rev_lock === undefined) return undefined;
  const commit = await sourceCommit(spec.url, spec.rev ?? "HEAD", cwd);
  return commit === spec.rev_lock ? undefined : `${dep.path} (${spec.url})`;
}

export async function updateRepoImport(
  repo: DataRepo,
  file: string,
  doc: DvcFileDoc,
  cwd: string,
  options: RepoImportUpdateOptions = {},
): Promise<"skipped" | "imported"> {
  const dep = doc.deps![0] as DvcOut;
  const out = doc.outs[0]!;
  const { spec, source } = repoSpec(file, dep);
  if (options.mode?.kind === "to-remote") {
    throw invalidParameter(
      `'${cwdRelative(cwd, file)}' imports from another repository: --to-remote is not supported for those yet`,
    );
  }
  const noDownload = options.mode?.kind === "no-download";
  const rev = options.rev ?? spec.rev;
  const commit = await sourceCommit(spec.url, rev ?? "HEAD", cwd);
  const wdir = dvcFileWdir(file, doc);
  const dest = resolve(wdir, out.path);
  const outChanged = (await outStatus(repo, out, wdir)) !== undefined;
  const revChanged = options.rev !== undefined && options.rev !== spec.rev;
  if (commit === spec.rev_lock && !outChanged && !revChanged) return "skipped";
  options.onImporting?.(`${dep.path} (${spec.url})`, cwdRelative(cwd, dest));
  repo.workspaceSummaries?.clear();
  let fetched: { out: DvcOut };
  if (noDownload) {
    // dvc drops the workspace copy and the out's hashes: the data comes with a later update without the flag.
    await rm(dest, { recursive: true, force: true });
    fetched = { out: hashedEntry(out, out.path, undefined) };
  } else {
    fetched = await fetchRepoPath(repo, spec.url, dep.path, dest, out.path, {
      cwd,
      rev: commit,
      jobs: options.jobs,
      previousOut: out,
      source: givenSourceConfig(source),
    });
  }
  // dvc updates the recorded mapping in place: new keys (a first `rev`) come after the old ones.
  const newRepo: RepoSpec = {
    ...spec,
    rev_lock: commit,
    ...(options.rev !== undefined ? { rev: options.rev } : {}),
  };
  const deps = [{ ...dep, repo: newRepo }];
  const raw: Record<string, unknown> = { ...doc.raw, deps, outs: [fetched.out] };
  // As for import-url, dvc computes the md5 while the out still holds what it held.
  raw.md5 = singleStageMd5({ ...raw, outs: [noDownload ? out : fetched.out] });
  await writeDvcFile(file, {
    outs: [fetched.out],
    raw,
    ...(doc.text !== undefined ? { text: doc.text } : {}),
  });
  return "imported";
}
