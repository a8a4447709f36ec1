/**
 * dvc's `check_graph` for an output about to be declared (by `data move` or `stage add`): no other output of
 * a `.dvc` file or a stage is it, holds it, or lies inside it. Messages are dvc's (OutputDuplicationError,
 * and the trie's overlap error).
 */
import { resolve } from "node:path";
import { FlowOpsError } from "../errors.js";
import { cwdStageAddress, type Stage } from "../pipelines/dvcYaml.js";
import { stageOuts } from "../pipelines/stageStatus.js";
import { isSameOrInside, type TrackedOut } from "./dvcFile.js";
import { cwdRelative } from "./dvcTarget.js";

/** An output that some `.dvc` file or stage declares, for the duplicate and overlap checks. */
export interface DeclaredOut {
  abs: string;
  /** As written in its file. */
  path: string;
  /** dvc's `stage.addressing` from the cwd. */
  owner: string;
}

/** The outputs of these `.dvc` outs and stages, named as dvc names their owners from `cwd`. */
export function declaredOuts(
  tracked: readonly TrackedOut[],
  stages: readonly Stage[],
  cwd: string,
): DeclaredOut[] {
  return [
    ...tracked.map((out) => ({ abs: out.abs, path: out.out.path, owner: cwdRelative(cwd, out.dvcFile) })),
    ...stages.flatMap((stage) =>
      stageOuts(stage).map((out) => ({
        abs: resolve(stage.wdir, out.path),
        path: out.path,
        owner: cwdStageAddress(stage, cwd),
      })),
    ),
  ];
}

/** Throws dvc's error when `added` is another output, holds one, or lies inside one. */
export function checkNoOverlap(declared: readonly DeclaredOut[], added: DeclaredOut): void {
  const same = declared.find((out) => out.abs === added.abs);
  if (same !== undefined) {
    throw new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      `output '${added.path}' is already specified in stage: '${same.owner}'.\n` +
        `Use \`dvc remove ${same.owner}\` to stop tracking the overlapping output.`,
    );
  }
  for (const out of declared) {
    const parent = isSameOrInside(added.abs, out.abs)
      ? out
      : isSameOrInside(out.abs, added.abs)
        ? added
        : undefined;
    if (parent === undefined) continue;
    const inner = parent === out ? added : out;
    throw new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      `The output paths:\n'${parent.path}'('${parent.owner}')\n'${inner.path}'('${inner.owner}')\n` +
        "overlap and are thus in the same tracked directory.\nTo keep reproducibility, outputs should be in " +
        "separate tracked directories or tracked individually.",
    );
  }
}
