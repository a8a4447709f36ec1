/**
 * Copies a file or a directory tree from any artifact store to a local directory, built once on the
 * store primitives (list, read) as MLflow's artifact_repo.download_artifacts is. The local side is a
 * LocalArtifactStore, so names coming back from remote listings are checked before they touch the disk
 * and each file appears atomically.
 */
import { join } from "node:path";
import { notFound } from "../errors.js";
import { LocalArtifactStore } from "./local.js";
import { assertSafeRelativePath } from "./pathSafety.js";
import type { ArtifactStore } from "./store.js";

const PARALLEL_DOWNLOADS = 4;

/**
 * Downloads `path` (a file, a directory, or `""` for everything) into `localDir`, keeping relative paths,
 * and returns the local path of what was downloaded.
 */
export async function downloadArtifacts(
  store: ArtifactStore,
  path: string,
  localDir: string,
): Promise<string> {
  const rel = assertSafeRelativePath(path);
  const target = new LocalArtifactStore(localDir);
  const info = await store.stat(rel);
  if (info === undefined) throw notFound(`Artifact '${path}' does not exist in ${store.rootUri}.`);
  const files = info.is_dir ? await listFilesRecursively(store, rel) : [rel];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const file = files[next++] as string;
      await target.write(file, await store.read(file));
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_DOWNLOADS, files.length) }, worker));
  return rel === "" ? target.localPath("") : join(await target.localPath(""), ...rel.split("/"));
}

/** Every file below `dir`, depth first. */
export async function listFilesRecursively(store: ArtifactStore, dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await store.list(dir)) {
    if (entry.is_dir) files.push(...(await listFilesRecursively(store, entry.path)));
    else files.push(entry.path);
  }
  return files;
}
