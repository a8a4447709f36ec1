/**
 * `dvc install --use-pre-commit-tool` (dvc/repo/install.py's `pre_commit_install`): the hooks go into the
 * pre-commit tool's `.pre-commit-config.yaml` at the Git root instead of `.git/hooks`, as one entry appended
 * to `repos` unless an equal one is there. dvc's entry names its own GitHub repository, whose hooks install
 * and run dvc; FlowOps publishes no hook repository, so its entry is a `local` one running `flowops` from the
 * PATH (`language: system`), with the ids, stages and flags of dvc's `.pre-commit-hooks.yaml`. The file is
 * dumped again, as dvc's ruamel round trip dumps it (comments kept), even when the entry was there.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import type { Document } from "yaml";
import { FlowOpsError } from "../errors.js";
import { writeFileAtomic } from "../writeFileAtomic.js";
import { yamlLibrary } from "../yamlLibrary.js";
import { DVC_YAML_STRINGIFY, redumpLikeRuamel } from "./dvcFileUpdate.js";

export const PRE_COMMIT_CONFIG = ".pre-commit-config.yaml";

function hook(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: `flowops-${name}`,
    name: `FlowOps ${name}`,
    entry: `flowops data git-hook ${name}`,
    language: "system",
    require_serial: true,
    stages: [name],
    ...extra,
  };
}

/** The `repos` entry: dvc's three hooks, in dvc's order, each with dvc's stage and flags. */
export const PRE_COMMIT_ENTRY: Readonly<Record<string, unknown>> = {
  repo: "local",
  hooks: [
    hook("pre-commit", { verbose: true }),
    hook("pre-push"),
    hook("post-checkout", { always_run: true }),
  ],
};

/** Adds PRE_COMMIT_ENTRY to `<gitRoot>/.pre-commit-config.yaml` (created when absent); `added` is false when it was there. */
export async function addPreCommitEntry(gitRoot: string): Promise<{ path: string; added: boolean }> {
  const path = join(gitRoot, PRE_COMMIT_CONFIG);
  const text = await readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return "";
    throw error;
  });
  const yaml = yamlLibrary();
  const corrupted = (): FlowOpsError =>
    new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      `unable to read: '${path}', YAML file structure is corrupted`,
    );
  const parsed = yaml.parseDocument(text, { prettyErrors: false });
  if (parsed.errors.length > 0) throw corrupted();
  // An empty file loads as nothing, which dvc's modify_yaml takes for an empty mapping.
  const doc: Document = (parsed.toJS() ?? null) === null ? new yaml.Document({}) : parsed;
  if (!yaml.isMap(doc.contents)) throw corrupted();
  const found: unknown = doc.contents.get("repos", true);
  const repos =
    found === undefined || (yaml.isScalar(found) && found.value === null) ? doc.createNode([]) : found;
  if (!yaml.isSeq(repos)) throw corrupted();
  doc.contents.set("repos", repos);
  const present = (repos.toJSON() as unknown[]).some((entry) => isDeepStrictEqual(entry, PRE_COMMIT_ENTRY));
  if (!present) repos.add(doc.createNode(PRE_COMMIT_ENTRY));
  // dvc's modify_yaml dumps the file on every run, an entry added or not.
  await writeFileAtomic(path, redumpLikeRuamel(doc.toString(DVC_YAML_STRINGIFY)));
  return { path, added: !present };
}
