/**
 * `dvc destroy` (dvc/repo/destroy.py): the project stops being a DVC project and its data stays, as plain
 * files. Every stage of dvc's index (each `.dvc` file, each dvc.yaml stage) has its cached outputs unprotected
 * (links into the cache become copies) and its file deleted: a `.dvc` file, or a dvc.yaml with the dvc.lock
 * beside it. Then the root `.dvcignore` and the whole `.dvc/` go, the cache inside it with them.
 *
 * Left as dvc leaves them: a cache configured outside `.dvc/` (`cache.dir`), `.gitignore` entries, the
 * `.dvcignore` files below the root, a dvc.yaml without stages (top-level metrics or plots only) and a
 * dvc.lock without its dvc.yaml, none of which are stages. Nothing is staged in Git.
 */
import { rm } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { LOCK_FILE } from "../pipelines/dvcLock.js";
import { readPipelinesOrTrackedFiles } from "../pipelines/pipelineFiles.js";
import { stageOuts } from "../pipelines/stageStatus.js";
import { closeDataRepo, openDataRepo } from "./dataRepo.js";
import { DVCIGNORE_FILE } from "./dvcIgnore.js";
import { unprotectOut } from "./unprotectOut.js";

/** dvc's confirmation statement, word for word (dvc/commands/destroy.py). */
export const DESTROY_STATEMENT =
  "This will destroy all information about your pipelines, all data files, as well as cache in .dvc/cache." +
  "\nAre you sure you want to continue?";

/** What one stage of the index leaves behind: its cached outs (absolute) and the files that define it. */
interface DestroyedStage {
  cachedOuts: string[];
  files: string[];
}

/** Destroys the DVC project that `cwd` lies in (the caller has confirmed); see the module comment. */
export async function destroyDataRepo(cwd: string): Promise<void> {
  const repo = await openDataRepo(cwd);
  try {
    // As dvc's index, which it builds first: a `.dvc` file or dvc.yaml that does not load stops the
    // command before anything is deleted.
    const pipeline = await readPipelinesOrTrackedFiles(repo);
    const byDvcFile = new Map<string, string[]>();
    for (const tracked of pipeline.trackedOuts ?? []) {
      const outs = byDvcFile.get(tracked.dvcFile) ?? [];
      if (tracked.out.cache !== false) outs.push(tracked.abs);
      byDvcFile.set(tracked.dvcFile, outs);
    }
    const stages: DestroyedStage[] = [
      ...[...byDvcFile].map(([dvcFile, cachedOuts]) => ({ cachedOuts, files: [dvcFile] })),
      ...pipeline.stages.map((stage) => ({
        cachedOuts: stageOuts(stage)
          .filter((out) => out.cache)
          .map((out) => resolve(stage.wdir, out.path)),
        files: [stage.pipelineFile, join(dirname(stage.pipelineFile), LOCK_FILE)],
      })),
    ];
    for (const stage of stages) {
      for (const out of stage.cachedOuts) await unprotectOut(out);
      for (const file of stage.files) await rm(file, { force: true });
    }
  } finally {
    // The hash state lives in .dvc/tmp: flushed and closed before the directory goes, or it would come back.
    closeDataRepo(repo);
  }
  await rm(join(repo.root, DVCIGNORE_FILE), { recursive: true, force: true });
  await rm(repo.dvcDir, { recursive: true, force: true });
}
