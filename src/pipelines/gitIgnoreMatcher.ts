/**
 * Git's ignore rules as DVC's `collect_files` applies them (`scm.is_ignored`): a gitignored dvc.yaml is not a
 * pipeline file and a gitignored directory is not walked, which keeps a repro from reading through a
 * virtualenv or a data directory kept out of Git. Rules come from `.git/info/exclude` and each directory's
 * `.gitignore`, read lazily once per directory; a deeper file's rules override a shallower one's, and the
 * last matching rule of a file wins, as in Git. It does not read `core.excludesFile` (per-user, not part of
 * the repository).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import ignore, { type Ignore } from "ignore";

const GITIGNORE = ".gitignore";

export class GitIgnoreMatcher {
  private readonly matchers = new Map<string, Ignore | undefined>();

  constructor(readonly root: string) {}

  /** Whether `relPosixPath` (relative to the root) is ignored; its parent directories are taken as walked. */
  ignores(relPosixPath: string, isDir: boolean): boolean {
    const parts = relPosixPath.split("/");
    let verdict = false;
    for (let depth = 0; depth < parts.length; depth++) {
      const dir = parts.slice(0, depth).join("/");
      const matcher = this.matcherOf(dir);
      if (matcher === undefined) continue;
      const below = parts.slice(depth).join("/");
      const result = matcher.test(isDir ? `${below}/` : below);
      if (result.ignored) verdict = true;
      else if (result.unignored) verdict = false;
    }
    return verdict;
  }

  /** Whether Git ignores the file `relPosixPath` or a directory above it: a file in an ignored directory is. */
  ignoresFile(relPosixPath: string): boolean {
    const parts = relPosixPath.split("/");
    return parts.some((_, i) => this.ignores(parts.slice(0, i + 1).join("/"), i < parts.length - 1));
  }

  private matcherOf(dir: string): Ignore | undefined {
    if (this.matchers.has(dir)) return this.matchers.get(dir);
    const texts = [readIfPresent(join(this.root, dir, GITIGNORE))];
    if (dir === "") texts.unshift(readIfPresent(join(this.root, ".git", "info", "exclude")));
    const text = texts.join("\n").trim();
    const matcher = text === "" ? undefined : ignore().add(text);
    this.matchers.set(dir, matcher);
    return matcher;
  }
}

function readIfPresent(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR" || code === "EISDIR") return "";
    throw error;
  }
}
