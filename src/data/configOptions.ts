/**
 * `dvc config`: get, set, unset and list options by dotted name (`core.remote`, `cache.type`,
 * `remote.<name>.<option>`, `db.<name>.<option>`) at one level or across all of them, with dvc's lookups,
 * messages and listing order (checked against dvc 3.67.1). Writing goes through writeDvcConfig, so every edit
 * is checked against dvc's schema first.
 */
import { dirname, join, relative } from "node:path";
import { FlowOpsError, invalidParameter } from "../errors.js";
import { availableLevels, configLevelFile, isPathOption, type ConfigLevel } from "./configLevels.js";
import { readConfigDocument, readDvcConfig, writeDvcConfig, type DvcConfig } from "./dvcConfig.js";
import { SCHEMA_SECTIONS } from "./configSchema.js";
import { storedRemoteUrl } from "./remoteConfig.js";

export interface ConfigName {
  /** `remote` or `db` for a named section's option; undefined for `section.option`. */
  top: "remote" | "db" | undefined;
  section: string;
  option: string;
}

const NAME = /^(?:(remote|db)\.)?([^.]*)\.([^.]*)$/;

/** dvc's `_name_type`: section and option are lower-cased; anything else is a usage error. */
export function parseConfigName(name: string): ConfigName {
  const match = NAME.exec(name);
  if (match === null) {
    throw invalidParameter(
      "name argument should look like remote.name.option or db.name.option or section.option",
    );
  }
  const top = match[1] as "remote" | "db" | undefined;
  return { top, section: (match[2] ?? "").toLowerCase(), option: (match[3] ?? "").toLowerCase() };
}

function fileSection(name: ConfigName): string {
  return name.top === undefined ? name.section : `${name.top} "${name.section}"`;
}

function configFailure(message: string): FlowOpsError {
  return new FlowOpsError("INVALID_PARAMETER_VALUE", `config file error: ${message}`);
}

/** One level as dvc's `read(level)` loads it: path options resolved against the file. */
function readLevel(dvcDir: string | undefined, level: ConfigLevel): Promise<DvcConfig> {
  return readDvcConfig(dvcDir, { levels: [level] });
}

/**
 * dvc's `_check`: the section, then the option, must exist at the level. The schema's sections always exist
 * there (dvc's loader defaults each to empty), so for those only the option can be missing.
 */
function checkExists(sections: Record<string, Record<string, string>>, name: ConfigName): void {
  const what = name.top ?? "section";
  const values =
    sections[fileSection(name)] ??
    (name.top === undefined && SCHEMA_SECTIONS.has(name.section) ? {} : undefined);
  if (values === undefined) throw configFailure(`${what} '${name.section}' doesn't exist`);
  if (values[name.option] === undefined) {
    throw configFailure(`option '${name.option}' doesn't exist in ${what} '${name.section}'`);
  }
}

function lookUp(config: DvcConfig, name: ConfigName): string {
  checkExists(config.sections, name);
  const values = config.sections[fileSection(name)] ?? {};
  return values[name.option] ?? "";
}

/** The `--show-origin` column: repo files relative to the repository root, user files absolute. */
export function levelOrigin(dvcDir: string | undefined, level: ConfigLevel): string {
  const file = configLevelFile(dvcDir, level);
  return dvcDir !== undefined && (level === "repo" || level === "local")
    ? relative(dirname(dvcDir), file)
    : file;
}

export interface ConfigValue {
  value: string;
  level: ConfigLevel;
}

/**
 * The option's value: from `level`, where its absence is an error, or else from the nearest level that sets
 * it (local, repo, global, system), undefined when none does (dvc prints nothing and exits 0).
 */
export async function getConfigOption(
  dvcDir: string | undefined,
  name: ConfigName,
  level?: ConfigLevel,
): Promise<ConfigValue | undefined> {
  if (level !== undefined) return { value: lookUp(await readLevel(dvcDir, level), name), level };
  for (const l of [...availableLevels(dvcDir)].reverse()) {
    const value = (await readLevel(dvcDir, l)).sections[fileSection(name)]?.[name.option];
    if (value !== undefined) return { value, level: l };
  }
  return undefined;
}

/** Sets the option at `level` (the project's `.dvc/config` when absent); a relative path as `remote add` stores it. */
export async function setConfigOption(
  dvcDir: string | undefined,
  name: ConfigName,
  value: string,
  options: { level?: ConfigLevel | undefined; cwd?: string } = {},
): Promise<DvcConfig> {
  const level = options.level ?? "repo";
  const section = fileSection(name);
  const stored = isPathOption(section, name.option)
    ? storedRemoteUrl(value, dirname(configLevelFile(dvcDir, level)), options.cwd ?? process.cwd())
    : value;
  return writeDvcConfig(dvcDir, (d) => d.set(section, name.option, stored), { level });
}

/** Unsets the option at `level`; it must be set there. */
export async function unsetConfigOption(
  dvcDir: string | undefined,
  name: ConfigName,
  level?: ConfigLevel,
): Promise<DvcConfig> {
  const at = level ?? "repo";
  const doc = await readConfigDocument(dvcDir, { level: at });
  const section = fileSection(name);
  checkExists(doc.hasSection(section) ? { [section]: doc.section(section) } : {}, name);
  return writeDvcConfig(dvcDir, (d) => d.unset(section, name.option), { level: at });
}

export interface ConfigEntry {
  /** `core.remote`, `remote.r.url`. */
  name: string;
  value: string;
  level: ConfigLevel;
}

/**
 * `dvc config --list`: each level in merge order (or the one asked for), and within a level the order dvc's
 * loader gives: remotes, machines and dbs first (`_parse_named`), then the other sections as the file has them.
 */
export async function listConfigOptions(
  dvcDir: string | undefined,
  level?: ConfigLevel,
): Promise<ConfigEntry[]> {
  const entries: ConfigEntry[] = [];
  for (const l of level === undefined ? availableLevels(dvcDir) : [level]) {
    const { sections } = await readLevel(dvcDir, l);
    const named = (top: string) =>
      Object.entries(sections).flatMap(([section, values]) => {
        const match = /^(remote|machine|db)\s+"(.*)"$/.exec(section);
        return match?.[1] === top ? [[`${top}.${match[2] ?? ""}`, values] as const] : [];
      });
    const plain = Object.entries(sections).filter(([section]) => !/^(remote|machine|db)\s+"/.test(section));
    for (const [prefix, values] of [...named("remote"), ...named("machine"), ...named("db"), ...plain]) {
      for (const [key, value] of Object.entries(values))
        entries.push({ name: `${prefix}.${key}`, value, level: l });
    }
  }
  return entries;
}

/**
 * `dvc cache dir` without a value: the cache directory a level sets (an error when it sets none), or with no
 * level the merged setting, defaulting to `.dvc/cache`.
 */
export async function cacheDirSetting(dvcDir: string | undefined, level?: ConfigLevel): Promise<string> {
  const name: ConfigName = { top: undefined, section: "cache", option: "dir" };
  if (level !== undefined) return lookUp(await readLevel(dvcDir, level), name);
  const merged = (await readDvcConfig(dvcDir)).cache.dir;
  if (merged !== undefined) return merged;
  if (dvcDir === undefined) throw configFailure("option 'dir' doesn't exist in section 'cache'");
  return join(dvcDir, "cache");
}
