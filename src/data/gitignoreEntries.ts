/**
 * Keeps tracked outputs out of Git the way `dvc add` does: a `/name` line in the `.gitignore` of the out's
 * parent directory, appended once, and removed again by `data remove` and `data move`. Only in repos under Git
 * (`repo.scm`); `--no-scm` repos get nothing.
 */
import { readFile, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { writeFileAtomic } from "../writeFileAtomic.js";

/** The `.gitignore` line for a file or directory named `name`: anchored, with gitignore's specials escaped. */
export function gitignoreEntry(name: string): string {
  const escaped = name.replace(/([\\*?[\]])/g, "\\$1").replace(/^([!#])/, "\\$1");
  return `/${escaped}`;
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "";
    throw error;
  }
}

/**
 * Ensures `<parent>/.gitignore` holds the out's entry; returns the .gitignore path when it was written, so
 * the CLI can tell the user which files to `git add`.
 */
export async function ensureGitignored(repo: { scm: boolean }, outAbs: string): Promise<string | undefined> {
  if (!repo.scm) return undefined;
  const gitignore = join(dirname(outAbs), ".gitignore");
  const entry = gitignoreEntry(basename(outAbs));
  const text = await readText(gitignore);
  const lines = text.split("\n").map((l) => l.trimEnd());
  if (lines.includes(entry)) return undefined;
  const prefix = text === "" || text.endsWith("\n") ? text : `${text}\n`;
  await writeFileAtomic(gitignore, `${prefix}${entry}\n`);
  return gitignore;
}

/**
 * scmrepo's `ignore_remove`: drops the out's entry from `<parent>/.gitignore`, and the file itself when nothing
 * is left in it; returns the .gitignore path when it was changed or deleted. dvc compares lines with the
 * unescaped name only, so it never removes the entry it wrote for a name with gitignore's specials; both
 * spellings go here.
 */
export async function removeGitignored(repo: { scm: boolean }, outAbs: string): Promise<string | undefined> {
  if (!repo.scm) return undefined;
  const gitignore = join(dirname(outAbs), ".gitignore");
  const text = await readText(gitignore);
  if (text === "") return undefined;
  const entries = new Set([`/${basename(outAbs)}`, gitignoreEntry(basename(outAbs))]);
  const lines = text.split(/(?<=\n)/);
  const kept = lines.filter((line) => !entries.has(line.trim()));
  if (kept.length === lines.length) return undefined;
  if (kept.length === 0) await rm(gitignore, { force: true });
  else await writeFileAtomic(gitignore, kept.join(""));
  return gitignore;
}
