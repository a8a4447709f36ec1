/**
 * DVC's configobj-style INI config files (levels in data/configLevels.ts). Reading merges the levels (a later
 * one wins, as in DVC); writing edits one file in place, line by line, so comments, unknown
 * sections and unknown keys survive (DVC itself drops comments; keeping them is strictly kinder). Section
 * names are written as DVC writes them: `[core]`, `['remote "storage"']`; keys indented four spaces.
 * Reading is lenient (callers check what they use); every write is checked against dvc's schema first.
 */
import { writeFileAtomic } from "../writeFileAtomic.js";
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { FlowOpsError } from "../errors.js";
import {
  availableLevels,
  configLevelFile,
  levelsBelow,
  isPathOption,
  resolveConfigPath,
  type ConfigLevel,
} from "./configLevels.js";
import { validateDvcConfig } from "./configSchema.js";
import { markDvcError } from "./dvcErrorKind.js";
import { readUtf8File } from "./utf8Text.js";

/** The merged view of the config levels (system, global, `.dvc/config`, `.dvc/config.local`). */
export interface DvcConfig {
  /** `[core]`: `remote` (the default remote), `no_scm`, `autostage`... */
  core: Record<string, string>;
  /** `[cache]`: `type` (link types), `dir`... */
  cache: Record<string, string>;
  /** `['remote "name"']` sections by remote name. */
  remotes: Record<string, Record<string, string>>;
  /** Every section by its logical name (`core`, `remote "storage"`), for keys this interface does not name. */
  sections: Record<string, Record<string, string>>;
}

type ConfigLine =
  | { kind: "header"; section: string; raw: string }
  | { kind: "entry"; section: string; key: string; value: string; raw: string }
  | { kind: "other"; raw: string };

/** One config file, parsed so that an edit rewrites only the lines it touches. */
export class ConfigDocument {
  private constructor(
    readonly path: string,
    private lines: ConfigLine[],
  ) {}

  static parse(path: string, text: string): ConfigDocument {
    const lines: ConfigLine[] = [];
    let section: string | undefined;
    const rawLines = text.split("\n");
    if (rawLines[rawLines.length - 1] === "") rawLines.pop();
    rawLines.forEach((raw, index) => {
      const trimmed = raw.trim();
      if (trimmed === "" || trimmed.startsWith("#")) {
        lines.push({ kind: "other", raw });
        return;
      }
      if (trimmed.startsWith("[")) {
        const match = /^\[\s*(.*?)\s*\]\s*(#.*)?$/.exec(trimmed);
        if (match?.[1] === undefined || match[1].startsWith("[")) {
          throw configError(path, index + 1, `invalid section header '${trimmed}'`);
        }
        section = unquote(match[1]);
        lines.push({ kind: "header", section, raw });
        return;
      }
      const eq = trimmed.indexOf("=");
      if (eq <= 0) throw configError(path, index + 1, `expected 'key = value', got '${trimmed}'`);
      if (section === undefined) throw configError(path, index + 1, `'${trimmed}' is outside any [section]`);
      const key = trimmed.slice(0, eq).trim();
      lines.push({ kind: "entry", section, key, value: parseValue(trimmed.slice(eq + 1)), raw });
    });
    return new ConfigDocument(path, lines);
  }

  sectionNames(): string[] {
    return [...new Set(this.lines.flatMap((l) => (l.kind === "header" ? [l.section] : [])))];
  }

  hasSection(section: string): boolean {
    return this.lines.some((l) => l.kind === "header" && l.section === section);
  }

  /** The section's keys in file order (a repeated key: the last wins, as configobj reports). */
  section(section: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const line of this.lines)
      if (line.kind === "entry" && line.section === section) out[line.key] = line.value;
    return out;
  }

  get(section: string, key: string): string | undefined {
    return Object.hasOwn(this.section(section), key) ? this.section(section)[key] : undefined;
  }

  /** Sets a key, replacing its line in place or appending it to the section (created at the end). */
  set(section: string, key: string, value: string): void {
    const raw = `    ${key} = ${formatValue(value)}`;
    const existing = this.lines.findIndex(
      (l) => l.kind === "entry" && l.section === section && l.key === key,
    );
    const entry: ConfigLine = { kind: "entry", section, key, value, raw };
    if (existing >= 0) {
      this.lines[existing] = entry;
      return;
    }
    if (!this.hasSection(section)) {
      const header: ConfigLine = { kind: "header", section, raw: `[${formatSectionName(section)}]` };
      // dvc writes plain sections first, then remotes, machines and dbs (`_pack_named`): a new section goes
      // before the first section of a later kind.
      const rank = sectionRank(section);
      const before = this.lines.findIndex((l) => l.kind === "header" && sectionRank(l.section) > rank);
      if (before >= 0) this.lines.splice(before, 0, header, entry);
      else this.lines.push(header, entry);
      return;
    }
    this.lines.splice(this.sectionEnd(section), 0, entry);
  }

  /** Removes a key; a section left without keys is removed too, as DVC does. */
  unset(section: string, key: string): void {
    this.lines = this.lines.filter((l) => !(l.kind === "entry" && l.section === section && l.key === key));
    if (Object.keys(this.section(section)).length === 0) this.removeSection(section);
  }

  /** Removes a section's keys and keeps its header where it is, so the section is refilled in place. */
  clearSection(section: string): void {
    this.lines = this.lines.filter((l) => l.kind !== "entry" || l.section !== section);
  }

  removeSection(section: string): void {
    this.lines = this.lines.filter((l) => l.kind === "other" || l.section !== section);
  }

  /** Section headers keep following comments/blank lines; those stay where they were. */
  toString(): string {
    return this.lines.length === 0 ? "" : `${this.lines.map((l) => l.raw).join("\n")}\n`;
  }

  /** The index just after the last entry of the section's last occurrence. */
  private sectionEnd(section: string): number {
    let end = -1;
    this.lines.forEach((l, i) => {
      if (l.kind !== "other" && l.section === section) end = i + 1;
    });
    return end;
  }
}

function sectionRank(section: string): number {
  const kind = /^(remote|machine|db)\s+"/.exec(section)?.[1];
  return kind === undefined ? 0 : ["remote", "machine", "db"].indexOf(kind) + 1;
}

function configError(path: string, line: number, message: string): FlowOpsError {
  return new FlowOpsError("INVALID_PARAMETER_VALUE", `${path}:${line}: config file error: ${message}`);
}

function unquote(text: string): string {
  const t = text.trim();
  if (t.length >= 2 && (t[0] === "'" || t[0] === '"') && t[t.length - 1] === t[0]) return t.slice(1, -1);
  return t;
}

/** configobj values: a quoted string, or text up to an inline ` #` comment. */
function parseValue(text: string): string {
  const t = text.trim();
  const quote = t[0];
  if (quote === "'" || quote === '"') {
    const close = t.indexOf(quote, 1);
    if (close > 0) return t.slice(1, close);
  }
  const hash = t.indexOf("#");
  return (hash >= 0 ? t.slice(0, hash) : t).trim();
}

/** Quotes a value where configobj would: it would otherwise read a comment, a list (`a,b`) or lose spaces. */
function formatValue(value: string): string {
  const needsQuotes = value === "" || /[#,]/.test(value) || value !== value.trim() || /^["']/.test(value);
  if (!needsQuotes) return value;
  return value.includes('"') ? `'${value}'` : `"${value}"`;
}

/** configobj writes a section name containing double quotes in single quotes: `['remote "r"']`. */
function formatSectionName(section: string): string {
  return section.includes('"') ? `'${section}'` : section;
}

/** The logical section name of a remote: `remote "name"`. */
export function remoteSectionName(name: string): string {
  return `remote "${name}"`;
}

async function readConfigText(path: string): Promise<string> {
  try {
    return await readUtf8File(path);
  } catch (error) {
    if (error instanceof FlowOpsError) throw error;
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "";
    throw new FlowOpsError("INVALID_PARAMETER_VALUE", `${path}: cannot read: ${String(error)}`, {
      cause: error,
    });
  }
}

export async function readConfigDocument(
  dvcDir: string | undefined,
  options: LevelOption = {},
): Promise<ConfigDocument> {
  const path = configLevelFile(dvcDir, options.level ?? "repo");
  return ConfigDocument.parse(path, await readConfigText(path));
}

export interface LevelOption {
  /** Which file: `repo` (`.dvc/config`) unless said otherwise. */
  level?: ConfigLevel | undefined;
}

/**
 * Reads the levels (all that exist here unless `levels` names some) and merges them key by key, a later level
 * winning, as dvc's `Config.load` does. Path-valued options come out as dvc loads them: relative to the file
 * that set them, so a relative url in the global config is not mistaken for one relative to `.dvc/`.
 */
export async function readDvcConfig(
  dvcDir: string | undefined,
  options: { levels?: readonly ConfigLevel[] } = {},
): Promise<DvcConfig> {
  try {
    return await loadDvcConfig(dvcDir, options);
  } catch (error) {
    // dvc loads the config as it opens the repository, outside every command's own error handling, so a
    // config that does not load exits 251 whatever the command (data/dvcErrorKind.ts).
    throw error instanceof FlowOpsError ? markDvcError(error, "unloadableConfig") : error;
  }
}

async function loadDvcConfig(
  dvcDir: string | undefined,
  options: { levels?: readonly ConfigLevel[] },
): Promise<DvcConfig> {
  // Read together: every command opens the config, and the user levels are usually absent files.
  const levels = options.levels ?? availableLevels(dvcDir);
  const docs = await Promise.all(levels.map((level) => readConfigDocument(dvcDir, { level })));
  const config = mergeConfigDocuments(docs);
  // dvc validates the config on every load (exit 251), so a misspelt section or option is not ignored. Only
  // the whole merge is checked: some levels alone may hold half a remote (its secrets in config.local).
  if (options.levels === undefined) {
    const setBy = (section: string, key: string | undefined): ConfigDocument | undefined =>
      docs.findLast((doc) => doc.hasSection(section) && (key === undefined || key in doc.section(section)));
    validateDvcConfig(config.sections, (section, key) => setBy(section, key)?.path);
  }
  return config;
}

function mergeConfigDocuments(docs: readonly ConfigDocument[]): DvcConfig {
  const sections: Record<string, Record<string, string>> = {};
  for (const doc of docs) {
    const dir = dirname(doc.path);
    for (const name of doc.sectionNames()) {
      const values = doc.section(name);
      for (const [key, value] of Object.entries(values)) {
        if (isPathOption(name, key)) values[key] = resolveConfigPath(value, dir);
      }
      sections[name] = { ...sections[name], ...values };
    }
  }
  return configFromSections(sections);
}

/** The merged view of sections keyed by their file names (`core`, `remote "storage"`). */
export function configFromSections(sections: Record<string, Record<string, string>>): DvcConfig {
  const remotes: Record<string, Record<string, string>> = {};
  for (const [name, values] of Object.entries(sections)) {
    const match = /^remote\s+"(.*)"$/.exec(name);
    if (match?.[1] !== undefined) remotes[match[1]] = values;
  }
  return { core: sections.core ?? {}, cache: sections.cache ?? {}, remotes, sections };
}

/**
 * The configured name of remote `name`. dvc stores the names it adds in lower case and finds remotes whatever
 * the case they are asked for in (`dvc push -r Store` after `dvc remote add Store`), so an exact match first,
 * then one ignoring case.
 */
export function configuredRemoteName(config: Pick<DvcConfig, "remotes">, name: string): string | undefined {
  if (Object.hasOwn(config.remotes, name)) return name;
  const lower = name.toLowerCase();
  return Object.keys(config.remotes).find((configured) => configured.toLowerCase() === lower);
}

/**
 * Edits one config file in place (temp file + rename) and returns the merged config afterwards. As dvc's
 * `Config.edit`, the file is checked merged onto the levels below it first (data/configSchema.ts), and the edit
 * refused, nothing written, when that fails.
 */
export async function writeDvcConfig(
  dvcDir: string | undefined,
  mutate: (doc: ConfigDocument) => void,
  options: LevelOption = {},
): Promise<DvcConfig> {
  const level = options.level ?? "repo";
  const doc = await readConfigDocument(dvcDir, { level });
  const before = doc.toString();
  mutate(doc);
  // Checked even when unchanged, as dvc checks every edit.
  const below: ConfigDocument[] = [];
  for (const l of levelsBelow(dvcDir, level)) below.push(await readConfigDocument(dvcDir, { level: l }));
  validateDvcConfig(mergeConfigDocuments([...below, doc]).sections);
  // Unchanged: no write, so that e.g. unsetting a key never creates an empty config.local.
  if (doc.toString() !== before) {
    // The global and system directories may not exist yet; dvc creates them too.
    await mkdir(dirname(doc.path), { recursive: true });
    // configobj writes an emptied file as one blank line; writing the same keeps git from seeing a change.
    await writeFileAtomic(doc.path, doc.toString() === "" ? "\n" : doc.toString());
  }
  return readDvcConfig(dvcDir);
}
