/**
 * `remote add|list|default|remove|modify` with DVC's semantics (checked against dvc 3.67.1): a relative
 * local url given on the command line is relative to the current directory and is stored relative to the
 * directory of the config file it goes into; `-d` sets `core.remote` in the same file; `--system`, `--global`
 * and `--local` pick the level (data/configLevels.ts); removing the default remote also unsets `core.remote`
 * in the levels that override it; unknown options and bad values are refused before writing.
 * It must not open remotes (data/dataRemote.ts does).
 */
import { dirname, isAbsolute, relative, resolve, sep } from "node:path";
import { FlowOpsError, invalidParameter, notFound } from "../errors.js";
import {
  configuredRemoteName,
  readConfigDocument,
  readDvcConfig,
  remoteSectionName,
  writeDvcConfig,
  type ConfigDocument,
  type DvcConfig,
} from "./dvcConfig.js";
import {
  availableLevels,
  CONFIG_LEVELS,
  configLevelFile,
  levelsBelow,
  type ConfigLevel,
} from "./configLevels.js";

export interface RemoteListing {
  name: string;
  /** As configured (relative local paths are relative to `.dvc/`). */
  url: string;
  /** Local paths made absolute, as `dvc remote list` shows them. */
  resolvedUrl: string;
  isDefault: boolean;
}

export interface ConfigScope {
  /**
   * The level to write (`repo`, i.e. `.dvc/config`, when absent) or to read alone (every level merged when
   * absent), as dvc's `--system`, `--global`, `--project` and `--local`.
   */
  level?: ConfigLevel | undefined;
}

const SCHEME = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//;

function configFailure(message: string): FlowOpsError {
  return invalidParameter(`config file error: ${message}`);
}

/**
 * The url as DVC stores it: a local path given relative to `cwd` becomes relative to `.dvc/` with POSIX
 * separators; absolute paths and urls with a scheme are kept as given.
 */
export function storedRemoteUrl(url: string, configDir: string, cwd: string): string {
  // A `~` path is kept as typed, as dvc's `_to_relpath` keeps it, so it follows the user's home.
  if (SCHEME.test(url) || isAbsolute(url) || url === "~" || url.startsWith("~/")) return url;
  return relative(configDir, resolve(cwd, url)).split(sep).join("/");
}

/** The directory a level's relative paths are relative to. */
function levelDir(dvcDir: string | undefined, level: ConfigLevel): string {
  return dirname(configLevelFile(dvcDir, level));
}

function remoteExists(config: DvcConfig, name: string): boolean {
  return configuredRemoteName(config, name) !== undefined;
}

export async function addRemote(
  dvcDir: string | undefined,
  given: string,
  url: string,
  options: ConfigScope & { makeDefault?: boolean; force?: boolean; cwd?: string } = {},
): Promise<DvcConfig> {
  if (given === "" || given.includes('"')) throw configFailure(`invalid remote name '${given}'.`);
  // dvc stores the names it adds in lower case (`dvc remote add Store` writes remote "store").
  const name = given.toLowerCase();
  const level = options.level ?? "repo";
  const doc = await readConfigDocument(dvcDir, { level });
  const section = remoteSectionName(name);
  if (doc.hasSection(section) && options.force !== true) {
    throw new FlowOpsError(
      "RESOURCE_ALREADY_EXISTS",
      `config file error: remote '${name}' already exists. Use \`-f|--force\` to overwrite it.`,
    );
  }
  const stored = storedRemoteUrl(url, levelDir(dvcDir, level), options.cwd ?? process.cwd());
  return writeDvcConfig(
    dvcDir,
    (d) => {
      // DVC's --force replaces the whole section in place: options of the old remote do not leak into the new.
      d.clearSection(section);
      d.set(section, "url", stored);
      if (options.makeDefault === true) d.set("core", "remote", name);
    },
    { level },
  );
}

/** One level alone with `level` (as `dvc remote list --local` reads it), else every level merged. */
async function readScope(dvcDir: string | undefined, options: ConfigScope): Promise<DvcConfig> {
  return readDvcConfig(dvcDir, options.level === undefined ? {} : { levels: [options.level] });
}

/** The remotes, with `url` as the file that set it says and `resolvedUrl` as dvc resolves it. */
export async function listRemotes(
  dvcDir: string | undefined,
  options: ConfigScope = {},
): Promise<RemoteListing[]> {
  const levels = options.level === undefined ? availableLevels(dvcDir) : [options.level];
  const configured: Record<string, string> = {};
  for (const level of levels) {
    const doc = await readConfigDocument(dvcDir, { level });
    for (const section of doc.sectionNames()) {
      const match = /^remote\s+"(.*)"$/.exec(section);
      const url = doc.get(section, "url");
      if (match?.[1] !== undefined && url !== undefined) configured[match[1]] = url;
    }
  }
  const config = await readScope(dvcDir, options);
  return Object.entries(config.remotes).map(([name, values]) => ({
    name,
    url: configured[name] ?? values.url ?? "",
    resolvedUrl: values.url ?? "",
    isDefault: config.core.remote === name,
  }));
}

/** The default remote's name (`core.remote`, a later level winning), or undefined. */
export async function defaultRemote(
  dvcDir: string | undefined,
  options: ConfigScope = {},
): Promise<string | undefined> {
  const name = (await readScope(dvcDir, options)).core.remote;
  return name === undefined || name === "" ? undefined : name;
}

/** The level and those below it merged, where dvc looks for the remote an edit at that level names. */
function readUpTo(dvcDir: string | undefined, level: ConfigLevel): Promise<DvcConfig> {
  return readDvcConfig(dvcDir, { levels: [...levelsBelow(dvcDir, level), level] });
}

export async function setDefaultRemote(
  dvcDir: string | undefined,
  name: string,
  options: ConfigScope = {},
): Promise<DvcConfig> {
  const level = options.level ?? "repo";
  const configured = configuredRemoteName(await readUpTo(dvcDir, level), name);
  if (configured === undefined) throw configFailure("default remote must be present in remote list.");
  return writeDvcConfig(dvcDir, (d) => d.set("core", "remote", configured), { level });
}

export async function unsetDefaultRemote(
  dvcDir: string | undefined,
  options: ConfigScope = {},
): Promise<DvcConfig> {
  return writeDvcConfig(dvcDir, (d) => d.unset("core", "remote"), { level: options.level ?? "repo" });
}

/** The levels that override `level`, nearest the user first (dvc walks `reversed(LEVELS)` down to it). */
function levelsAbove(dvcDir: string | undefined, level: ConfigLevel): ConfigLevel[] {
  return availableLevels(dvcDir)
    .filter((l) => CONFIG_LEVELS.indexOf(l) > CONFIG_LEVELS.indexOf(level))
    .reverse();
}

/**
 * Removes the remote from the level that defines it; `core.remote` naming it is unset there and in every level
 * that overrides it, as dvc does.
 */
export async function removeRemote(
  dvcDir: string | undefined,
  name: string,
  options: ConfigScope = {},
): Promise<DvcConfig> {
  const level = options.level ?? "repo";
  const doc = await readConfigDocument(dvcDir, { level });
  const section = remoteSectionName(name);
  if (!doc.hasSection(section)) throw notFound(`config file error: remote '${name}' doesn't exist.`);
  const dropDefault = (d: ConfigDocument): void => {
    if (d.get("core", "remote") === name) d.unset("core", "remote");
  };
  // In dvc's order: the remote's own level first, then the levels above it.
  await writeDvcConfig(
    dvcDir,
    (d) => {
      d.removeSection(section);
      dropDefault(d);
    },
    { level },
  );
  for (const above of levelsAbove(dvcDir, level)) await writeDvcConfig(dvcDir, dropDefault, { level: above });
  return readDvcConfig(dvcDir);
}

/**
 * `dvc remote rename`: the remote's section moves to the end under its new name (dvc rewrites it through a
 * dict), and `core.remote` naming it follows in this level and in the levels that override it.
 */
export async function renameRemote(
  dvcDir: string | undefined,
  name: string,
  newName: string,
  options: ConfigScope = {},
): Promise<DvcConfig> {
  if (newName === "" || newName.includes('"')) throw configFailure(`invalid remote name '${newName}'.`);
  if (remoteExists(await readDvcConfig(dvcDir), newName)) {
    throw new FlowOpsError(
      "RESOURCE_ALREADY_EXISTS",
      `config file error: Rename failed. Remote name '${newName}' already exists.`,
    );
  }
  const level = options.level ?? "repo";
  const doc = await readConfigDocument(dvcDir, { level });
  const section = remoteSectionName(name);
  if (!doc.hasSection(section)) throw notFound(`config file error: remote '${name}' doesn't exist.`);
  const renameDefault = (d: ConfigDocument): void => {
    if (d.get("core", "remote") === name) d.set("core", "remote", newName);
  };
  const values = doc.section(section);
  await writeDvcConfig(
    dvcDir,
    (d) => {
      d.removeSection(section);
      for (const [key, value] of Object.entries(values)) d.set(remoteSectionName(newName), key, value);
      renameDefault(d);
    },
    { level },
  );
  for (const above of levelsAbove(dvcDir, level))
    await writeDvcConfig(dvcDir, renameDefault, { level: above });
  return readDvcConfig(dvcDir);
}

/**
 * Sets (or with `unset`, removes) one option of a remote. The remote may be defined at this level or one below
 * it (`--local` secrets for a remote of `.dvc/config`).
 */
export async function modifyRemote(
  dvcDir: string | undefined,
  given: string,
  option: string,
  value: string | undefined,
  options: ConfigScope & { unset?: boolean; cwd?: string } = {},
): Promise<DvcConfig> {
  const level = options.level ?? "repo";
  const config = await readUpTo(dvcDir, level);
  const name = configuredRemoteName(config, given);
  if (name === undefined) throw notFound(`config file error: remote '${given}' doesn't exist.`);
  const section = remoteSectionName(name);
  // The option and its value are checked by dvc's schema when the edit is written (data/configSchema.ts).
  if (options.unset === true) {
    // dvc checks before the emptied section is dropped on save, so unsetting the url is refused there too.
    const below = await readDvcConfig(dvcDir, { levels: levelsBelow(dvcDir, level) });
    const doc = await readConfigDocument(dvcDir, { level });
    const remaining = { ...below.remotes[name], ...doc.section(section) };
    delete remaining[option];
    if (remaining.url === undefined) {
      throw configFailure(`expected 'url' for dictionary value @ data['remote']['${name}']`);
    }
    return writeDvcConfig(dvcDir, (d) => d.unset(section, option), { level });
  }
  if (value === undefined)
    throw invalidParameter(`remote modify ${name} ${option}: a value is required (or --unset)`);
  const stored =
    option === "url" ? storedRemoteUrl(value, levelDir(dvcDir, level), options.cwd ?? process.cwd()) : value;
  return writeDvcConfig(dvcDir, (d) => d.set(section, option, stored), { level });
}
