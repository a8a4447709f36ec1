/**
 * The git revisions a history scope (`-a`, `-T`, `-A`, `--rev`, `--date`, experiments) names, as dvc's
 * `iter_revs` names them: each commit once, under the names it was reached by ("master,v3" for a branch and
 * a tag at one commit, a full hash for `-A`), which is how dvc's warnings and errors name a revision.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { FlowOpsError } from "../errors.js";
import { usesGit } from "./dataRepo.js";
import { noScmError } from "./noScm.js";

/** Which git revisions count besides the workspace (dvc's `iter_revs`). */
export interface HistoryScope {
  allBranches?: boolean;
  allTags?: boolean;
  allCommits?: boolean;
  /** `--rev`: this commit and the `num - 1` before it (first parents). */
  rev?: string;
  /** With `rev` and `allBranches`: how many commits back from each; 1 by default. */
  num?: number;
  /** `--date YYYY-MM-DD`: every commit made on or after that day (local midnight, as dvc's strptime). */
  commitDate?: string;
  /** dvc's experiments: the commits of each `refs/exps/...` ref down to its baseline. */
  allExperiments?: boolean;
  /** A revision whose files do not parse is skipped (with `onSkipped`) instead of failing the whole read. */
  skipFailed?: boolean;
  onSkipped?: (revision: string, reason: string) => void;
}

/** The commits a scope names, each once, in dvc's order (revs, then branches or all, tags, date, experiments). */
export async function scopeCommits(root: string, scope: HistoryScope): Promise<string[]> {
  return [...(await scopeRevisions(root, scope)).keys()];
}

/**
 * Commit -> dvc's name for it, in dvc's order: every name that reached the commit, first-seen first and
 * joined by commas (dvc's `group_by` on the resolved hash). A branch or `--rev` is named as given at its tip
 * and by hash below it; tags by name (annotated ones peeled to their commit), in name order as dvc sorts them.
 */
export async function scopeRevisions(root: string, scope: HistoryScope): Promise<Map<string, string>> {
  const lines = (text: string): string[] => text.split("\n").filter((line) => line !== "");
  const num = scope.num ?? 1;
  const walks =
    scope.allBranches === true ||
    scope.allTags === true ||
    scope.allCommits === true ||
    scope.commitDate !== undefined;
  if (scope.rev === undefined && scope.allExperiments !== true && !walks) return new Map();
  if (!(await usesGit(root))) {
    // scmrepo's NoSCM lists no branch, tag or commit, and cannot resolve a name or an experiment ref.
    if (scope.rev !== undefined || scope.allExperiments === true) throw noScmError();
    return new Map();
  }
  const found: { sha: string; name: string }[] = [];
  const hashes = (shas: readonly string[]): void => shas.forEach((sha) => found.push({ sha, name: sha }));
  // dvc's _get_n_commits: the name as given, then `name~1`... resolved to hashes.
  const fromTip = async (rev: string, name: string): Promise<void> => {
    if (num <= 0) return;
    const [tip, ...below] = lines(
      await gitOutput(root, ["rev-list", "--first-parent", `--max-count=${num}`, rev, "--"]),
    );
    if (tip !== undefined) found.push({ sha: tip, name });
    hashes(below);
  };
  if (scope.rev !== undefined) {
    const known = await gitOutput(root, ["rev-parse", "--verify", "--quiet", `${scope.rev}^{commit}`]).catch(
      () => "",
    );
    if (known.trim() === "")
      throw new FlowOpsError("INVALID_PARAMETER_VALUE", `unknown Git revision '${scope.rev}'`);
    await fromTip(scope.rev, scope.rev);
  }
  if (scope.allCommits === true) hashes(lines(await gitOutput(root, ["rev-list", "--all"])));
  else {
    if (scope.allBranches === true) {
      const refs = await gitOutput(root, [
        "for-each-ref",
        "--format=%(objectname) %(refname:strip=2)",
        "refs/heads",
      ]);
      for (const line of lines(refs)) {
        const space = line.indexOf(" ");
        await fromTip(line.slice(0, space), line.slice(space + 1));
      }
    }
    if (scope.allTags === true) found.push(...(await tagCommits(root)));
    if (scope.commitDate !== undefined) {
      const since = commitDateStamp(scope.commitDate);
      for (const line of lines(await gitOutput(root, ["log", "--all", "--format=%H %ct"]))) {
        const [sha, time] = line.split(" ");
        if (sha !== undefined && Number(time) >= since) hashes([sha]);
      }
    }
  }
  if (scope.allExperiments === true) hashes(await experimentCommits(root));
  const names = new Map<string, string[]>();
  for (const { sha, name } of found) {
    const known = names.get(sha) ?? [];
    if (!known.includes(name)) names.set(sha, [...known, name]);
  }
  return new Map([...names].map(([sha, all]) => [sha, all.join(",")]));
}

/** Each tag that reaches a commit, by name order, with that commit (an annotated tag's target). */
async function tagCommits(root: string): Promise<{ sha: string; name: string }[]> {
  const format = "--format=%(objecttype) %(objectname) %(*objecttype) %(*objectname) %(refname:strip=2)";
  const tags: { sha: string; name: string }[] = [];
  for (const line of (await gitOutput(root, ["for-each-ref", format, "refs/tags"])).split("\n")) {
    // A lightweight tag leaves the peeled fields empty ("commit <sha>   <name>").
    const [type, sha, peeledType, peeled, ...name] = line.split(" ");
    const commit = type === "commit" ? sha : peeledType === "commit" ? peeled : undefined;
    if (commit !== undefined && commit !== "") tags.push({ sha: commit, name: name.join(" ") });
  }
  return tags;
}

/** `YYYY-MM-DD` as the Unix time of that day's local midnight; anything else is dvc's usage error. */
export function commitDateStamp(date: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const [year, month, day] = [Number(match?.[1]), Number(match?.[2]), Number(match?.[3])];
  const midnight = new Date(year, month - 1, day);
  // Date rolls 2024-13-01 over into 2025: a day that does not read back the same does not exist.
  if (match === null || midnight.getMonth() !== month - 1 || midnight.getDate() !== day) {
    throw new FlowOpsError("INVALID_PARAMETER_VALUE", `--date: '${date}' is not a date as yyyy-mm-dd`);
  }
  return midnight.getTime() / 1000;
}

/** dvc's `exp_commits`: for each experiment ref `refs/exps/<baseline>/<name>`, its commits down to the baseline. */
async function experimentCommits(root: string): Promise<string[]> {
  const shas: string[] = [];
  const refs = (await gitOutput(root, ["for-each-ref", "--format=%(refname)", "refs/exps"])).split("\n");
  for (const ref of refs) {
    const match = /^refs\/exps\/([0-9a-f]{2})\/([0-9a-f]{38})\/[^/]+$/.exec(ref);
    if (match === null) continue;
    const baseline = `${match[1]}${match[2]}`;
    const listed = await gitOutput(root, ["rev-list", "--first-parent", ref, `^${baseline}`, "--"]);
    shas.push(...listed.split("\n").filter((line) => line !== ""));
  }
  return shas;
}

/** A git command's stdout; its failure is INVALID_STATE with git's own words. */
export async function gitOutput(cwd: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)("git", args, { cwd, maxBuffer: 1 << 30, encoding: "utf8" });
    return stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? "";
    throw new FlowOpsError(
      "INVALID_STATE",
      `git ${args[0] ?? ""} failed in ${cwd}: ${stderr.trim() || String(error)}`,
    );
  }
}
