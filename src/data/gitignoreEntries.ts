/**
 * Keeps tracked outputs out of Git the way `dvc add` does: a `/name` line in the `.gitignore` of the out's
 * parent directory, appended once. Only in repos under Git (`repo.scm`); `--no-scm` repos get nothing.
 */
import { readFile } from "node:fs/promises";
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
