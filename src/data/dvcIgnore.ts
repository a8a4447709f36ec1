/**
 * `.dvcignore` rules as DVC applies them (iterative/dvc `dvc/ignore.py`): gitignore syntax, a `.dvcignore` at
 * the repo root and in any subdirectory (its patterns apply below that directory), DVC's built-in patterns
 * `.hg/`, `.git/`, `.git` and `.dvc/` at any depth, and nested DVC repos (a directory holding `.dvc/`) left out.
 * Patterns of a subdirectory's file are rebased onto the root, as DVC's `merge_patterns` does, so one matcher
 * (npm `ignore`) answers with gitignore's rule: the last matching pattern wins, and nothing under an ignored
 * directory can be re-included. Subdirectory files are discovered lazily, the first time a path below them is
 * asked about, so loading costs one file read however big the workspace is.
 */
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import ignore, { type Ignore } from "ignore";
import { readUtf8File, readUtf8FileSync } from "./utf8Text.js";

export const DVCIGNORE_FILE = ".dvcignore";

/** DVC's `DvcIgnoreFilter` defaults. */
const DEFAULT_PATTERNS = [".hg/", ".git/", ".git", ".dvc/"];

/** What DEFAULT_PATTERNS ignore, by an entry's name. */
export function ignoredByBuiltinPatterns(name: string, isDir: boolean): boolean {
  return name === ".git" || (isDir && (name === ".hg" || name === ".dvc"));
}

/** What a directory listing says about the two names that change the rules below it. */
export interface ListedMarkers {
  /** A `.dvc` directory: the directory is a nested DVC repo. */
  hasDvcDir: boolean;
  hasDvcignore: boolean;
}

export class DvcIgnore {
  private patterns: string[];
  private matcher: Ignore;
  /** Directories (POSIX, relative to the root) whose `.dvcignore` and `.dvc/` were looked for. */
  private readonly scanned = new Set<string>([""]);

  constructor(
    readonly root: string,
    rootPatterns: readonly string[] = [],
  ) {
    this.patterns = [...DEFAULT_PATTERNS, ...rootPatterns];
    this.matcher = ignore().add(this.patterns);
  }

  /**
   * Whether `relPosixPath` (relative to the root, `/`-separated) is ignored. Paths outside the root are not.
   * A directory's own rules apply to what lies below it, not to the directory itself.
   */
  ignores(relPosixPath: string, isDir: boolean): boolean {
    const rel = normalize(relPosixPath);
    if (rel === undefined) return false;
    const parts = rel.split("/");
    let dir = "";
    for (let i = 0; i < parts.length - 1; i++) {
      dir = dir === "" ? parts[i]! : `${dir}/${parts[i]}`;
      if (this.matcher.ignores(`${dir}/`)) return true;
      this.scan(dir);
    }
    return this.matcher.ignores(isDir ? `${rel}/` : rel);
  }

  /**
   * Prepares a walk of the directory `relPosixDir` (relative to the root; "" for the root): reads the
   * `.dvcignore` files of it and its ancestors. Afterwards `ignoresWalkedEntry` can match entries alone.
   */
  enterDirectory(relPosixDir: string, listing?: ListedMarkers): void {
    let dir = "";
    const parts = relPosixDir === "" ? [] : relPosixDir.split("/");
    parts.forEach((part, index) => {
      dir = dir === "" ? part : `${dir}/${part}`;
      this.scan(dir, index === parts.length - 1 ? listing : undefined);
    });
  }

  /** No .dvcignore rules and no nested repo seen so far: an entry's name alone decides. */
  get onlyBuiltinPatterns(): boolean {
    return this.patterns.length === DEFAULT_PATTERNS.length;
  }

  /**
   * `ignores` for an entry of a directory being walked top-down, whose ancestors were each checked on the
   * way down and entered with `enterDirectory`: only the entry itself is matched, so a walk costs one match
   * per file instead of one per file and ancestor.
   */
  ignoresWalkedEntry(relPosixPath: string, isDir: boolean): boolean {
    // With only the built-in patterns (the usual case) the answer depends on the entry's name alone; the
    // general matcher costs more than the stat of the file in a walk of many small files.
    if (this.onlyBuiltinPatterns) {
      return ignoredByBuiltinPatterns(relPosixPath.slice(relPosixPath.lastIndexOf("/") + 1), isDir);
    }
    return this.matcher.ignores(isDir ? `${relPosixPath}/` : relPosixPath);
  }

  /**
   * Reads `dir/.dvcignore` (unless it is itself ignored) and marks a nested DVC repo, once per directory.
   * `listing` is what a walk that just listed `dir` saw, which spares two stats per directory.
   */
  private scan(dir: string, listing?: ListedMarkers): void {
    if (this.scanned.has(dir)) return;
    this.scanned.add(dir);
    const added: string[] = [];
    if (listing?.hasDvcDir ?? isDirectory(join(this.root, dir, ".dvc"))) added.push(`/${dir}/`);
    const file = join(this.root, dir, DVCIGNORE_FILE);
    if (!this.matcher.ignores(`${dir}/${DVCIGNORE_FILE}`) && (listing?.hasDvcignore ?? existsSync(file))) {
      added.push(...parsePatterns(readUtf8FileSync(file)).map((pattern) => rebase(pattern, dir)));
    }
    if (added.length === 0) return;
    this.patterns = [...this.patterns, ...added];
    this.matcher = ignore().add(this.patterns);
  }
}

/** Loads the root `.dvcignore` of a workspace (absent file: only the built-in patterns). */
export async function loadDvcIgnore(root: string): Promise<DvcIgnore> {
  let text = "";
  try {
    text = await readUtf8File(join(root, DVCIGNORE_FILE));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  return new DvcIgnore(root, parsePatterns(text));
}

/** DVC strips each line and drops blanks and comments (`DvcIgnorePatterns.from_file`). */
export function parsePatterns(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
}

/**
 * A pattern of `dir/.dvcignore` rewritten relative to the root, as DVC's `change_rule` does
 * (`dvc/pathspec_math.py`): a pattern with a slash before its last character is anchored at `dir`, any other
 * (or one that starts with a double-star directory) matches at any depth below it.
 */
export function rebase(pattern: string, dir: string): string {
  const negated = pattern.startsWith("!");
  let rule = negated ? pattern.slice(1) : pattern;
  const anchored = rule.slice(0, -1).includes("/") && !rule.startsWith("**/");
  if (anchored) rule = rule.replace(/^\//, "");
  else if (rule.startsWith("**/")) rule = rule.slice(3);
  if (rule.startsWith("\\")) rule = rule.slice(1);
  return `${negated ? "!" : ""}/${dir}/${anchored ? "" : "**/"}${rule}`;
}

function normalize(relPosixPath: string): string | undefined {
  let rel = relPosixPath.replace(/\/+$/, "");
  while (rel.startsWith("./")) rel = rel.slice(2);
  if (rel === "" || rel === "." || rel.startsWith("/") || rel === ".." || rel.startsWith("../"))
    return undefined;
  return rel;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
