/**
 * Settings for the repository that `get`, `du` and `import` read, given on the command line or recorded in an
 * import's `.dvc` file: dvc's `Repo.open(config=, remote=, remote_config=)`. They let a team read a repository
 * whose own config names no remote, or one this machine reaches by another url or with other credentials.
 * - `config`: a config file (dvc's `--config`), merged over the source's own levels; an import records the
 *   path as given, and a dict when `--remote` and `--remote-config` come together (dvc's `imp`).
 * - `remote`: the remote to use as the source's default (`--remote`).
 * - `remoteConfig`: options merged into that remote, or into the source's default (`--remote-config`); a
 *   local DVC repository with no default has dvc's `auto-generated-upstream`, its own cache, to merge into.
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { FlowOpsError, invalidParameter } from "../errors.js";
import { isPathOption, resolveConfigPath } from "./configLevels.js";
import { validateDvcConfig } from "./configSchema.js";
import { ConfigDocument, configFromSections, remoteSectionName, type DvcConfig } from "./dvcConfig.js";

/** dvc's nested config dict, as an import's `.dvc` file records it: `{core: {remote}, remote: {name: {url}}}`. */
export type ConfigTree = Record<string, unknown>;

export interface SourceConfig {
  config?: string | ConfigTree;
  remote?: string;
  remoteConfig?: Record<string, string>;
}

/** The remote dvc invents for a local source without a default remote (its `_get_remote_config`). */
export const AUTO_UPSTREAM = "auto-generated-upstream";

/** What an import's repo dep records of them: `config` (a path or a dict) and `remote` (a name or options). */
export interface RecordedSourceConfig {
  config?: string | ConfigTree;
  remote?: string | Record<string, string>;
}

/** The recorded form of an import's source settings, as dvc's `imp` makes it (and refuses it). */
export function recordedSourceConfig(source: SourceConfig): RecordedSourceConfig {
  const { config, remote, remoteConfig } = source;
  if (remote !== undefined && remoteConfig !== undefined && typeof config === "string") {
    throw invalidParameter("Can't specify config path together with both remote and remote_config");
  }
  if (remote !== undefined && remoteConfig !== undefined) {
    const tree = (config ?? {}) as ConfigTree;
    const remotes = { ...((tree.remote as Record<string, unknown> | undefined) ?? {}) };
    remotes[remote] = { ...((remotes[remote] as Record<string, string> | undefined) ?? {}), ...remoteConfig };
    return {
      config: { ...tree, core: { ...((tree.core as object | undefined) ?? {}), remote }, remote: remotes },
    };
  }
  return {
    ...(config !== undefined ? { config } : {}),
    ...(remote !== undefined ? { remote } : remoteConfig !== undefined ? { remote: remoteConfig } : {}),
  };
}

/** The settings an import's repo dep records, read back (`where` names the field in errors). */
export function sourceConfigOfDep(repo: { config?: unknown; remote?: unknown }, where: string): SourceConfig {
  const { config, remote } = repo;
  if (config !== undefined && typeof config !== "string" && !isRecord(config)) {
    throw invalidParameter(`${where}.config must be a config file path or a mapping`);
  }
  if (remote !== undefined && typeof remote !== "string" && !isRecord(remote)) {
    throw invalidParameter(`${where}.remote must be a remote name or a mapping of its options`);
  }
  return {
    ...(config !== undefined ? { config } : {}),
    ...(typeof remote === "string" ? { remote } : {}),
    ...(isRecord(remote) ? { remoteConfig: scalarValues(remote, `${where}.remote`) } : {}),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function scalarValues(values: Record<string, unknown>, where: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) {
    if (isRecord(value) || Array.isArray(value) || value === null) {
      throw invalidParameter(`${where}.${key} must be a single value`);
    }
    out[key] = String(value);
  }
  return out;
}

/** A config dict's sections under their file names: `remote: {r: {...}}` becomes `remote "r"`. */
function treeSections(tree: ConfigTree, where: string): Record<string, Record<string, string>> {
  const sections: Record<string, Record<string, string>> = {};
  for (const [section, values] of Object.entries(tree)) {
    if (!isRecord(values)) throw invalidParameter(`${where}.${section} must be a mapping`);
    if (section === "remote" || section === "machine" || section === "db") {
      for (const [name, options] of Object.entries(values)) {
        if (!isRecord(options)) throw invalidParameter(`${where}.${section}.${name} must be a mapping`);
        sections[`${section} "${name}"`] = scalarValues(options, `${where}.${section}.${name}`);
      }
    } else sections[section] = scalarValues(values, `${where}.${section}`);
  }
  return sections;
}

async function fileSections(path: string): Promise<Record<string, Record<string, string>>> {
  let text;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      `config file '${path}' cannot be read: ${String(error)}`,
      {
        cause: error,
      },
    );
  }
  const doc = ConfigDocument.parse(path, text);
  return Object.fromEntries(doc.sectionNames().map((name) => [name, doc.section(name)]));
}

/** Relative paths given here are taken from the working directory, where dvc's filesystem finds them. */
function resolvePaths(sections: Record<string, Record<string, string>>, cwd: string): void {
  for (const [name, values] of Object.entries(sections)) {
    for (const [key, value] of Object.entries(values)) {
      if (isPathOption(name, key)) values[key] = resolveConfigPath(value, cwd);
    }
  }
}

/**
 * The source's config with `source` applied, as dvc's `Config.load(config, remote, remote_config)`: the file or
 * dict merged key by key over the source's levels, then `remote` made the default, then `remoteConfig` merged
 * into it. `localCache` is the cache of a local DVC source: with no default remote, `remoteConfig` goes into
 * AUTO_UPSTREAM, a remote at that cache, as in dvc. The sections given are checked against dvc's schema, so a
 * mistyped option is refused before anything is read.
 */
export async function applySourceConfig(
  config: DvcConfig,
  source: SourceConfig,
  cwd: string,
  localCache?: string,
): Promise<DvcConfig> {
  const sections: Record<string, Record<string, string>> = {};
  for (const [name, values] of Object.entries(config.sections)) sections[name] = { ...values };
  const touched = new Set<string>();
  const merge = (name: string, values: Record<string, string>): void => {
    sections[name] = { ...sections[name], ...values };
    touched.add(name);
  };
  if (source.config !== undefined) {
    const overlay =
      typeof source.config === "string"
        ? await fileSections(resolve(cwd, source.config))
        : treeSections(source.config, "config");
    resolvePaths(overlay, cwd);
    for (const [name, values] of Object.entries(overlay)) merge(name, values);
  }
  if (source.remote !== undefined) merge("core", { remote: source.remote });
  if (source.remoteConfig !== undefined) {
    let name = source.remote ?? sections.core?.remote ?? "";
    if (name === "" && localCache !== undefined) {
      name = AUTO_UPSTREAM;
      merge("core", { remote: name });
      merge(remoteSectionName(name), { url: localCache });
    }
    if (name === "") throw invalidParameter("Missing remote name");
    const values = { ...source.remoteConfig };
    resolvePaths({ [remoteSectionName(name)]: values }, cwd);
    merge(remoteSectionName(name), values);
  }
  // Only what was given is checked: the source's own files are its owner's, read as leniently as ever.
  validateDvcConfig(Object.fromEntries([...touched].map((name) => [name, sections[name]!])));
  return configFromSections(sections);
}

/** The settings among a command's options, or undefined when none was given (the source is read as it is). */
export function givenSourceConfig(options: SourceConfig): SourceConfig | undefined {
  const { config, remote, remoteConfig } = options;
  if (config === undefined && remote === undefined && remoteConfig === undefined) return undefined;
  return {
    ...(config !== undefined ? { config } : {}),
    ...(remote !== undefined ? { remote } : {}),
    ...(remoteConfig !== undefined ? { remoteConfig } : {}),
  };
}
