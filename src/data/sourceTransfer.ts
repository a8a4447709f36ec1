/**
 * Bringing data from outside the workspace in, for `add -o` and `import-url`: the source, already hashed, is
 * copied into the cache (never moved: it stays as it is, wherever it lives) and checked out at its
 * destination, or sent straight to a remote (`--to-remote`), verified on the way.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { join, relative, resolve, sep } from "node:path";
import { FlowOpsError } from "../errors.js";
import type { DataRepo } from "./dataRepo.js";
import { openDataRemote } from "./dataRemote.js";
import { DVC_FILE_SUFFIX } from "./dvcFile.js";
import { isDirOid, type Oid } from "./hashInfo.js";
import type { HashedPath } from "./hashTree.js";
import { materializeOut } from "./materialize.js";
import { md5File } from "./md5File.js";
import { pushObjects, type ObjectOwner, type TransferCache } from "./transferObjects.js";

/** With `toRemote`: upload to this remote (default: core.remote), `jobs` at once; else into the cache. */
export async function transferSource(
  repo: DataRepo,
  source: { abs: string; hashed: HashedPath },
  dest: string,
  toRemote?: { remote?: string; jobs?: number },
): Promise<void> {
  const { abs, hashed } = source;
  const files =
    hashed.kind === "file"
      ? [{ abs, md5: hashed.md5 }]
      : hashed.entries.map((e) => ({ abs: resolve(abs, ...e.relpath.split("/")), md5: e.md5 }));
  if (toRemote !== undefined) {
    await uploadFromSource(repo, hashed, files, relative(repo.root, dest).split(sep).join("/"), toRemote);
    return;
  }
  for (const file of files) await repo.cache.addFile(file.abs, file.md5, { move: false });
  if (hashed.kind === "dir") await repo.cache.addBytes(hashed.md5, hashed.manifest);
  await checkoutReplacing(repo, hashed, dest);
}

/**
 * Puts cached content at `dest` once the cache holds all of it, replacing what was there: dvc's run removes
 * an import's old out before it imports, and `add -o --force` replaces the destination.
 */
export async function checkoutReplacing(
  repo: DataRepo,
  hashed: Pick<HashedPath, "md5" | "isexec">,
  dest: string,
): Promise<void> {
  if (existsSync(dest)) await rm(dest, { recursive: true, force: true });
  await materializeOut(repo.cache, hashed, dest, {
    linkTypes: repo.linkTypes,
    state: repo.state,
    ignore: repo.ignore,
    root: repo.root,
  });
}

/**
 * Pushes the source's objects as if they were cached: the transfer reads each file where it lies (and a
 * directory's manifest from a temp file), re-hashing it first, so a file changed since it was hashed is
 * reported, never uploaded under the old hash.
 */
async function uploadFromSource(
  repo: DataRepo,
  hashed: HashedPath,
  files: readonly { abs: string; md5: Oid }[],
  destRel: string,
  target: { remote?: string; jobs?: number },
): Promise<void> {
  const remote = openDataRemote(repo, target.remote);
  const at = new Map(files.map((file) => [file.md5, file.abs]));
  const scratch = await mkdtemp(join(repo.tmpDir, "to-remote-"));
  try {
    if (hashed.kind === "dir") {
      const manifestPath = join(scratch, "manifest");
      await writeFile(manifestPath, hashed.manifest);
      at.set(hashed.md5, manifestPath);
    }
    const locate = async (oid: Oid): Promise<string | undefined> => at.get(oid);
    const cache: TransferCache = {
      locate,
      has: async (oid) => at.has(oid),
      verify: async (oid) => {
        const path = at.get(oid);
        // A manifest's oid is its md5 with `.dir` after it.
        return path !== undefined && `${(await md5File(path)).md5}${isDirOid(oid) ? ".dir" : ""}` === oid;
      },
      readDirManifest: async () => (hashed.kind === "dir" ? hashed.entries : []),
      openTempFile: () => {
        throw new FlowOpsError("INTERNAL_ERROR", "an upload from the source never downloads");
      },
    };
    const owners = new Map<Oid, ObjectOwner>(
      [...at.keys()].map((oid) => [oid, { path: destRel, dvcFile: `${destRel}${DVC_FILE_SUFFIX}` }]),
    );
    const result = await pushObjects(
      { cache },
      remote,
      owners,
      target.jobs !== undefined ? { jobs: target.jobs } : {},
    );
    if (result.failed.length > 0) {
      const [first] = result.failed;
      throw new FlowOpsError(
        "INTERNAL_ERROR",
        `failed to upload ${result.failed.length} of ${owners.size} objects to remote '${remote.name}'` +
          (first === undefined ? "" : ` (first: ${first.oid}: ${first.reason})`),
      );
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
