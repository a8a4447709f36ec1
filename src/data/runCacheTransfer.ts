/**
 * `push|fetch|pull --run-cache`, as DVC's `StageCache.push`/`pull` (`dvc/stage/cache.py`): every entry file
 * under the cache's `runs/` is copied to the remote's `runs/` (same relative paths, replacing what is there,
 * as DVC's transfer with force does), and the reverse. The objects the entries name are found here too, so
 * pushPull can move them with the workspace's through transferObjects. Entry files land through a temp file
 * and a rename: a half-copied entry must never be read as a (corrupt) run-cache entry. It never prints.
 */
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readdir, readFile, rename, rm } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { pipeline as streamPipeline } from "node:stream/promises";
import { dirname, join, relative, sep } from "node:path";
import { parseRunCacheEntry } from "../pipelines/runCache.js";
import type { DataRemote } from "./dataRemote.js";
import type { DataRepo } from "./dataRepo.js";
import { isOid, type Oid } from "./hashInfo.js";
import { expandOuts, type TrackedOut, type UsedObject } from "./usedObjects.js";

/** The run-cache's directory, in the cache and on the remote. */
export const RUNS_DIR = "runs";

/** The entry files of the local run-cache, as POSIX paths relative to the cache (`runs/ab/<key>/<value>`). */
export async function localRunCacheEntries(repo: Pick<DataRepo, "cacheDir">): Promise<string[]> {
  const runs = join(repo.cacheDir, RUNS_DIR);
  let names: string[];
  try {
    names = await readdir(runs, { recursive: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const entries: string[] = [];
  for (const name of names) {
    const parts = name.split(sep);
    // Only `<key[:2]>/<key>/<value>` files; temp files start with a dot and directories have fewer parts.
    if (parts.length !== 3 || parts.some((part) => part.startsWith("."))) continue;
    entries.push([RUNS_DIR, ...parts].join("/"));
  }
  return entries.sort();
}

/** Uploads the given local entry files to the remote's `runs/`, replacing what is there. */
export async function pushRunCacheEntries(
  repo: Pick<DataRepo, "cacheDir">,
  remote: DataRemote,
  entries: readonly string[],
): Promise<number> {
  for (const entry of entries) {
    await remote.store.write(entry, createReadStream(join(repo.cacheDir, ...entry.split("/"))));
  }
  return entries.length;
}

/** Copies every file under the remote's `runs/` into the cache's `runs/`; returns their relative paths. */
export async function pullRunCacheEntries(
  repo: Pick<DataRepo, "cacheDir">,
  remote: DataRemote,
): Promise<string[]> {
  const copied: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await remote.store.list(dir)) {
      if (entry.is_dir) {
        await walk(entry.path);
        continue;
      }
      const dest = join(repo.cacheDir, ...entry.path.split("/"));
      await mkdir(dirname(dest), { recursive: true });
      const temp = join(dirname(dest), `.${randomBytes(8).toString("hex")}.tmp`);
      try {
        await streamPipeline(await remote.store.read(entry.path), createWriteStream(temp));
        await rename(temp, dest);
      } finally {
        await rm(temp, { force: true });
      }
      copied.push(entry.path);
    }
  };
  await walk(RUNS_DIR);
  return copied;
}

/**
 * The objects the given local entries name (directories expanded where their manifest is cached), marked
 * optional: an old entry whose objects are gone is not an error, as the run-cache is only a shortcut.
 * Entries that do not parse are skipped; repro reports and removes them when it reads one.
 */
export async function runCacheObjects(
  repo: Pick<DataRepo, "cacheDir" | "cache">,
  entries: readonly string[],
): Promise<Map<Oid, UsedObject>> {
  const outs: TrackedOut[] = [];
  for (const entry of entries) {
    const file = join(repo.cacheDir, ...entry.split("/"));
    let parsed;
    try {
      parsed = parseRunCacheEntry(file, await readFile(file, "utf8"));
    } catch {
      continue;
    }
    for (const out of parsed.outs) {
      if (out.md5 === undefined || !isOid(out.md5)) continue;
      outs.push({
        dvcFile: relative(repo.cacheDir, file).split(sep).join("/"),
        path: out.path,
        md5: out.md5,
        ...(out.hash === undefined ? { legacy: true } : {}),
      });
    }
  }
  const used = await expandOuts(repo, outs);
  for (const owner of used.values()) owner.optional = true;
  return used;
}
