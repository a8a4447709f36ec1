/**
 * `dvc freeze` and `dvc unfreeze`: set or clear `frozen` on dvc.yaml stages and `.dvc` files. A frozen stage
 * is never rerun by repro, nor its deps checked. A stage is written back as dvc's `dump` writes it (its
 * `to_pipeline_file` form applied over the stage as read, so deps and params come out sorted); a `.dvc` file
 * gains or loses the key at its end. Targets are done one by one and a bad one does not stop the others, as
 * in dvc.
 */
import { readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { cwdRelative, parseDvcTarget, targetFile } from "../data/dvcTarget.js";
import { DVC_FILE_SUFFIX, readDvcFile, serializeDvcFile } from "../data/dvcFile.js";
import { updateYamlTextAt } from "../data/dvcFileUpdate.js";
import { FlowOpsError } from "../errors.js";
import { writeFileAtomic } from "../writeFileAtomic.js";
import { yamlLibrary } from "../yamlLibrary.js";
import { cwdStageAddress, parsePipeline } from "./dvcYaml.js";
import { checkTargetPipelineFiles, type GitRepoRoot } from "./gitIgnoredPipelineFiles.js";
import { stageDefinitionDump } from "./stageDefinitionDump.js";

export interface FreezeOptions extends GitRepoRoot {
  cwd: string;
  /** The repository root (stages are addressed from it). */
  root: string;
  /** dvc's "Modifying stage 'train' in 'dvc.yaml'", once per dvc.yaml stage written. */
  onModified?: (message: string) => void;
  warn?: (message: string) => void;
}

export interface FreezeOutcome {
  target: string;
  /** dvc's message when the target could not be changed. */
  error?: string;
}

export async function setFrozen(
  targets: readonly string[],
  frozen: boolean,
  options: FreezeOptions,
): Promise<FreezeOutcome[]> {
  const outcomes: FreezeOutcome[] = [];
  for (const target of targets) {
    try {
      await setOne(target, frozen, options);
      outcomes.push({ target });
    } catch (error) {
      if (!(error instanceof FlowOpsError)) throw error;
      outcomes.push({ target, error: error.message });
    }
  }
  return outcomes;
}

async function setOne(target: string, frozen: boolean, options: FreezeOptions): Promise<void> {
  const { cwd } = options;
  const { path, name } = parseDvcTarget(target);
  const file = targetFile(cwd, path);
  if (file.endsWith(DVC_FILE_SUFFIX)) {
    if (name !== undefined) {
      options.warn?.(
        `Ignoring name '${name}' for single stage in 'SingleStageFile: ${cwdRelative(cwd, file)}'.`,
      );
    }
    const doc = await readDvcFile(file, options.root);
    const { frozen: _old, ...raw } = doc.raw;
    const text = serializeDvcFile({
      outs: doc.outs,
      raw: frozen ? { ...raw, frozen: true } : raw,
      ...(doc.text !== undefined ? { text: doc.text } : {}),
    });
    if (text !== doc.text) await writeFileAtomic(file, text);
    return;
  }
  if (name === undefined) {
    throw new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      "Stage name not provided.Please specify the name as: `dvc.yaml:stage_name`",
    );
  }
  checkTargetPipelineFiles(options, cwd, [target]);
  const text = await readFile(file, "utf8");
  const pipeline = await parsePipeline(dirname(file), file, text, options.root);
  const stage = pipeline.stages.find((candidate) => candidate.lockName === name);
  if (stage === undefined) {
    throw new FlowOpsError(
      "RESOURCE_DOES_NOT_EXIST",
      `Stage '${name}' not found inside '${cwdRelative(cwd, file)}' file`,
    );
  }
  // Read again as plain values: parsePipeline's document holds Python-typed numbers, which the dump would
  // not write back as they were written.
  const definition = (yamlLibrary().parse(text) as { stages?: Record<string, unknown> }).stages?.[name];
  // dvc cannot write back a stage whose definition differs from what it resolved to: a foreach or matrix
  // member, or one that interpolates `${...}`.
  if (
    stage.group !== undefined ||
    typeof definition !== "object" ||
    definition === null ||
    interpolates(definition)
  ) {
    throw new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      `cannot dump a parametrized stage: '${cwdStageAddress(stage, cwd)}'`,
    );
  }
  const dumped = stageDefinitionDump(definition as Record<string, unknown>, file, frozen);
  const updated = updateYamlTextAt(text, ["stages", name], dumped);
  if (updated === undefined)
    throw new FlowOpsError("INVALID_PARAMETER_VALUE", `${file}: cannot rewrite stage '${name}'`);
  options.onModified?.(`Modifying stage '${name}' in '${cwdRelative(cwd, file)}'`);
  if (updated !== text) await writeFileAtomic(file, updated);
}

function interpolates(value: unknown): boolean {
  if (typeof value === "string") return value.includes("${");
  if (Array.isArray(value)) return value.some(interpolates);
  if (typeof value === "object" && value !== null) {
    return Object.entries(value).some(([key, inner]) => interpolates(key) || interpolates(inner));
  }
  return false;
}
