/**
 * `data add --glob`: targets expanded as dvc expands them, with Python's `glob.iglob(pattern, recursive=True)`
 * (dvc/utils `glob_targets`): `*`, `?` and `[...]` match within one path segment and never a name starting
 * with "." unless the segment itself starts with one; `**` matches any number of directories. Matches keep the
 * pattern's form (relative stays relative), sorted, since a directory listing's order means nothing. No match
 * at all is dvc's "Glob [...] has no matches." error.
 */
import { readdir, stat } from "node:fs/promises";
import { isAbsolute, join, resolve } from "node:path";
import { FlowOpsError } from "../errors.js";
import { stageNameGlob } from "../pipelines/stageNameGlob.js";

export async function expandPathGlobs(cwd: string, patterns: readonly string[]): Promise<string[]> {
  const results: string[] = [];
  for (const pattern of patterns) results.push(...(await globOne(cwd, pattern.replaceAll("\\", "/"))).sort());
  if (results.length === 0) {
    const list = patterns.map((p) => `'${p.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`).join(", ");
    throw new FlowOpsError("RESOURCE_DOES_NOT_EXIST", `Glob [${list}] has no matches.`);
  }
  return results;
}

const hasMagic = (segment: string): boolean => /[*?[]/.test(segment);

async function globOne(cwd: string, pattern: string): Promise<string[]> {
  const absolute = isAbsolute(pattern);
  const segments = pattern.split("/").filter((segment, i) => segment !== "" || i === 0);
  const start = absolute ? "/" : "";
  const found: string[] = [];
  const onDisk = (path: string): string => resolve(cwd, path === "" ? "." : path);
  const walk = async (prefix: string, index: number): Promise<void> => {
    if (index >= segments.length) {
      found.push(prefix);
      return;
    }
    const segment = segments[index] as string;
    const last = index === segments.length - 1;
    if (segment === "" && index === 0) return walk(start, index + 1);
    if (!hasMagic(segment)) {
      const path = prefix === "" ? segment : join(prefix, segment);
      const info = await stat(onDisk(path)).catch(() => undefined);
      if (info !== undefined && (last || info.isDirectory())) await walk(path, index + 1);
      return;
    }
    if (segment === "**") {
      const dirs = [prefix, ...(await subdirectories(onDisk(prefix), prefix))];
      if (!last) {
        for (const dir of dirs) await walk(dir, index + 1);
        return;
      }
      // A trailing ** is the directory itself (as "dir/") and everything below it.
      if (prefix !== "") found.push(prefix.endsWith("/") ? prefix : `${prefix}/`);
      for (const dir of dirs) {
        if (dir !== prefix) found.push(dir);
        found.push(...(await filesIn(onDisk(dir), dir)));
      }
      return;
    }
    const matches = stageNameGlob(segment);
    const showHidden = segment.startsWith(".");
    const entries = await readdir(onDisk(prefix), { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (!showHidden && entry.name.startsWith(".")) continue;
      if (!matches.test(entry.name)) continue;
      const path = prefix === "" ? entry.name : join(prefix, entry.name);
      if (last) found.push(path);
      else if (entry.isDirectory()) await walk(path, index + 1);
    }
  };
  await walk("", 0);
  return found;
}

/** Every non-hidden directory below `abs` (not itself), at any depth, in the pattern's form. */
async function subdirectories(abs: string, shown: string): Promise<string[]> {
  const result: string[] = [];
  const entries = await readdir(abs, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (!entry.isDirectory() || entry.name.startsWith(".")) continue;
    const path = shown === "" ? entry.name : join(shown, entry.name);
    result.push(path, ...(await subdirectories(join(abs, entry.name), path)));
  }
  return result;
}

/** The non-hidden files (and non-directories) directly in `abs`, in the pattern's form. */
async function filesIn(abs: string, shown: string): Promise<string[]> {
  const entries = await readdir(abs, { withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => !entry.isDirectory() && !entry.name.startsWith("."))
    .map((entry) => (shown === "" ? entry.name : join(shown, entry.name)));
}
