/**
 * The cached outputs of pipeline stages for `diff`, as dvc's index has them: every out, metric and plot a
 * dvc.yaml declares with `cache` on, with the md5 its dvc.lock records. At a revision, a declared out whose
 * stage never ran there has no hash yet, and dvc still lists it (so against a workspace without the file it is
 * "deleted", and with the file "modified"). In the workspace, what counts is the file itself.
 */
import { relative, resolve, sep } from "node:path";
import type { Stage } from "../pipelines/dvcYaml.js";
import { readStageLocks } from "../pipelines/dvcLock.js";
import { readWorkspacePipelines } from "../pipelines/pipelineFiles.js";
import { withPipelinesAt } from "../pipelines/revisionPipelines.js";

export interface DeclaredStageOut {
  /** POSIX, relative to the repository root. */
  path: string;
  abs: string;
  /** The md5 dvc.lock records; undefined when the stage has no entry for it. */
  md5: string | undefined;
  /** dvc.lock's `size` and `isexec`, when it records them. */
  size?: number | undefined;
  isexec?: boolean | undefined;
}

function cachedOuts(stage: Stage): string[] {
  return [...stage.outs, ...stage.metrics, ...stage.plots]
    .filter((out) => out.cache)
    .map((out) => resolve(stage.wdir, out.path));
}

async function declaredOuts(root: string, stages: readonly Stage[]): Promise<DeclaredStageOut[]> {
  const locks = await readStageLocks(stages);
  const outs = new Map<string, DeclaredStageOut>();
  for (const stage of stages) {
    const recorded = locks.get(stage.name)?.outs ?? [];
    for (const abs of cachedOuts(stage)) {
      const lock = recorded.find((file) => resolve(stage.wdir, file.path) === abs);
      outs.set(abs, {
        path: relative(root, abs).split(sep).join("/"),
        abs,
        md5: lock?.md5,
        size: lock?.size,
        isexec: lock?.isexec,
      });
    }
  }
  return [...outs.values()];
}

/** The stage outs a Git revision declares, with the hashes its dvc.lock files record. */
export async function revisionStageOuts(root: string, rev: string): Promise<DeclaredStageOut[]> {
  return withPipelinesAt(root, rev, async (pipeline) =>
    pipeline === undefined ? [] : declaredOuts(pipeline.root, pipeline.stages),
  );
}

/** The workspace's declared stage outs with what its dvc.lock files record for them. */
export async function workspaceDeclaredStageOuts(root: string): Promise<DeclaredStageOut[]> {
  const pipeline = await readWorkspacePipelines(root);
  return pipeline === undefined ? [] : declaredOuts(root, pipeline.stages);
}
