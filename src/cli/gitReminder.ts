/**
 * What dvc's scm_context does after a command changed files Git should know about (dvc/repo/scm_context.py):
 * with `core.autostage` set it stages them itself; otherwise it prints the `git add` line and how to turn
 * autostage on. Repos outside Git (`--no-scm`) get neither.
 */
import type { DataRepo } from "../data/dataRepo.js";
import { shellQuote } from "../shellQuote.js";

/** `files` are relative to `cwd`, in the order they changed. */
export async function reportFilesToTrack(
  repo: Pick<DataRepo, "scm" | "config">,
  files: readonly string[],
  cwd: string,
): Promise<void> {
  if (!repo.scm || files.length === 0) return;
  if (/^(true|1|yes|on)$/i.test(repo.config.core.autostage ?? "")) return stageFiles(files, cwd);
  process.stdout.write(
    `\nTo track the changes with git, run:\n\n\tgit add ${files.map(shellQuote).join(" ")}\n` +
      "\nTo enable auto staging, run:\n\n\tflowops data config core.autostage true\n",
  );
}

/** `git add` for what exists, and the removal staged for what was deleted (a renamed `.dvc` file). */
async function stageFiles(files: readonly string[], cwd: string): Promise<void> {
  const { existsSync } = await import("node:fs");
  const { resolve } = await import("node:path");
  const { execFileSync } = await import("node:child_process");
  const present = files.filter((file) => existsSync(resolve(cwd, file)));
  const deleted = files.filter((file) => !present.includes(file));
  const git = (args: string[]): void => {
    execFileSync("git", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
  };
  if (present.length > 0) git(["add", "--", ...present]);
  if (deleted.length > 0) git(["rm", "--cached", "-q", "--ignore-unmatch", "--", ...deleted]);
}
