/**
 * `check-ignore`: whether `.dvcignore` rules exclude a path, and which rule did, as dvc's
 * `DvcIgnoreFilter.check_ignore` answers (dvc/ignore.py). The rules that apply to a path are dvc's: the
 * built-in `.hg/ .git/ .git .dvc/`, then each `.dvcignore` from the root down to the path's directory (a
 * subdirectory's rebased onto the root, skipped when an earlier rule ignores the file itself), with each
 * nested DVC repository as a `/name/` rule. Which rule is reported follows dvc's matcher, not git's: rules
 * are grouped by kind (exclude or `!`, directory-only or not) in a row, groups are tried last first, and
 * within a group of excludes the first rule that matches wins. DvcIgnore (dvcIgnore.ts) answers the plain
 * question for walks; this module is only for reporting.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { isSameOrInside } from "./dvcFile.js";
import { DVCIGNORE_FILE, rebase } from "./dvcIgnore.js";
import { DIR_MARK, patternToRegex } from "./gitignorePatternRegex.js";

/** A rule and where it came from: `file:line:pattern`, or empty for a built-in rule. */
export interface PatternInfo {
  pattern: string;
  fileInfo: string;
}

/** dvc's `str(PatternInfo)`. */
export function describePattern(info: PatternInfo): string {
  return info.fileInfo !== "" ? info.fileInfo : `:${info.pattern}`;
}

export interface CheckIgnoreResult {
  /** The target as given. */
  file: string;
  match: boolean;
  patterns: PatternInfo[];
}

const DEFAULT_PATTERNS = [".hg/", ".git/", ".git", ".dvc/"];

interface Spec {
  regex: RegExp;
  ignore: boolean;
  dirOnly: boolean;
  /** The rules of this spec, in order: several for a combined group of excludes. */
  infos: PatternInfo[];
}

/** dvc's `DvcIgnorePatterns` over paths relative to the repo root. */
class DetailedPatterns {
  private readonly specs: Spec[] = [];

  constructor(infos: readonly PatternInfo[]) {
    const entries: { regex: string; ignore: boolean; dirOnly: boolean; info: PatternInfo }[] = [];
    infos.forEach((info, count) => {
      const converted = patternToRegex(info.pattern);
      if (converted === undefined) return;
      entries.push({
        regex: converted.regex.replaceAll(`<${DIR_MARK}>`, `<${DIR_MARK}${count}>`),
        ignore: converted.include,
        dirOnly: info.pattern.endsWith("/"),
        info,
      });
    });
    for (let start = 0; start < entries.length;) {
      const first = entries[start]!;
      let end = start + 1;
      while (
        end < entries.length &&
        entries[end]!.ignore === first.ignore &&
        entries[end]!.dirOnly === first.dirOnly
      )
        end += 1;
      const group = entries.slice(start, end);
      if (first.ignore) {
        // One regex for the group, with a named group per rule so the one that matched can be told.
        const combined = group.map((entry, i) => `(?<rule_${i}>${entry.regex})`).join("|");
        this.specs.push({
          regex: new RegExp(`^(?:${combined})`),
          ignore: true,
          dirOnly: first.dirOnly,
          infos: group.map((entry) => entry.info),
        });
      } else {
        for (const entry of group) {
          this.specs.push({
            regex: new RegExp(`^(?:${entry.regex})`),
            ignore: false,
            dirOnly: entry.dirOnly,
            infos: [entry.info],
          });
        }
      }
      start = end;
    }
  }

  /** dvc's `_ignore`: each leading part of `path` as a directory, then the path itself. */
  matches(path: string, isDir: boolean): { ignored: boolean; patterns: PatternInfo[] } {
    const parts = path.split("/");
    for (let i = 1; i <= parts.length; i++) {
      const found = this.findMatching(parts.slice(0, i).join("/"), isDir || i < parts.length);
      if (i < parts.length && !found.ignored) continue;
      return found;
    }
    return { ignored: false, patterns: [] };
  }

  private findMatching(path: string, isDir: boolean): { ignored: boolean; patterns: PatternInfo[] } {
    const paths = isDir && !path.endsWith("/") ? [path, `${path}/`] : [path];
    for (let s = this.specs.length - 1; s >= 0; s--) {
      const spec = this.specs[s]!;
      if (spec.dirOnly && !isDir) continue;
      for (const candidate of paths) {
        const match = spec.regex.exec(candidate);
        if (match === null) continue;
        const index = spec.ignore
          ? spec.infos.findIndex((_, i) => match.groups?.[`rule_${i}`] !== undefined)
          : 0;
        return { ignored: spec.ignore, patterns: [spec.infos[Math.max(index, 0)]!] };
      }
    }
    return { ignored: false, patterns: [] };
  }
}

/** Checks each target (relative to `cwd`) against the rules of the repository at `root`. */
export function checkIgnore(root: string, targets: readonly string[], cwd: string): CheckIgnoreResult[] {
  const rulesByDir = new Map<string, DetailedPatterns>();
  return targets.map((target) => {
    const full = resolve(cwd, target);
    if (!isSameOrInside(full, root) || full === root) return { file: target, match: false, patterns: [] };
    const dir = dirname(full);
    let rules = rulesByDir.get(dir);
    if (rules === undefined) {
      rules = new DetailedPatterns(rulesFor(root, dir));
      rulesByDir.set(dir, rules);
    }
    const rel = relative(root, full).split(sep).join("/");
    const isDir = statSync(full, { throwIfNoEntry: false })?.isDirectory() === true;
    const { ignored, patterns } = rules.matches(rel, isDir);
    return { file: target, match: ignored, patterns };
  });
}

/** The rules that apply in `dir`: dvc's trie entry for it, built from the root down. */
function rulesFor(root: string, dir: string): PatternInfo[] {
  const infos: PatternInfo[] = DEFAULT_PATTERNS.map((pattern) => ({ pattern, fileInfo: "" }));
  const relDir = relative(root, dir).split(sep).join("/");
  const dirs = [""];
  if (relDir !== "") relDir.split("/").forEach((_, i, parts) => dirs.push(parts.slice(0, i + 1).join("/")));
  for (const rel of dirs) {
    const abs = join(root, rel);
    const file = join(abs, DVCIGNORE_FILE);
    const fileRel = rel === "" ? DVCIGNORE_FILE : `${rel}/${DVCIGNORE_FILE}`;
    if (!new DetailedPatterns(infos).matches(fileRel, false).ignored && existsSync(file)) {
      readFileSync(file, "utf8")
        .split(/\r?\n/)
        .forEach((raw, index) => {
          const line = raw.trim();
          if (line === "" || line.startsWith("#")) return;
          infos.push({
            pattern: rel === "" ? line : rebase(line, rel),
            fileInfo: `${fileRel}:${index + 1}:${line}`,
          });
        });
    }
    for (const name of subdirectories(abs)) {
      if (!existsSync(join(abs, name, ".dvc"))) continue;
      const pattern = `/${name}/`;
      infos.push({ pattern: rel === "" ? pattern : rebase(pattern, rel), fileInfo: `in sub_repo:${name}` });
    }
  }
  return infos;
}

function subdirectories(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
  } catch {
    return [];
  }
}
