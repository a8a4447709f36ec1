/**
 * `dvc repro` loads each target's dvc.yaml (or `.dvc` file) before it builds its index, so a target whose
 * file is missing fails with that file's error before any other dvc.yaml or params.yaml is read: from a
 * directory without a dvc.yaml, `repro` names the missing file even when the root's params.yaml is corrupt.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { parseDvcTarget, targetFile } from "../data/dvcTarget.js";
import { PIPELINE_FILE } from "./dvcYaml.js";

/** Throws dvc's error for the first target (the cwd's dvc.yaml when none) whose file does not exist. */
export function checkReproTargetFilesExist(cwd: string, targets: readonly string[]): void {
  // No target is dvc.yaml as named (shown absolute); a bare stage name assumes it (shown as `dvc.yaml`).
  for (const target of targets.length === 0 ? [PIPELINE_FILE] : targets) {
    const { path } = parseDvcTarget(target);
    if (!existsSync(resolve(cwd, path ?? PIPELINE_FILE))) targetFile(cwd, path);
  }
}
