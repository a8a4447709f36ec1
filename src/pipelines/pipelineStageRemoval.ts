/**
 * Takes one stage out of its dvc.yaml and dvc.lock, as dvc's `ProjectFile.remove_stage` and
 * `Lockfile.remove_stage` do for `dvc remove`: the lock entry goes first; a dvc.lock left without stages is
 * deleted; dvc.yaml loses the stage's lines and is dumped again as dvc's ruamel round trip dumps it (its
 * layout, with the comments that were not the stage's).
 */
import { readFile, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { Node as YamlNode, YAMLMap } from "yaml";
import { DVC_YAML_STRINGIFY, redumpLikeRuamel } from "../data/dvcFileUpdate.js";
import { FlowOpsError } from "../errors.js";
import { writeFileAtomic } from "../writeFileAtomic.js";
import { yamlLibrary } from "../yamlLibrary.js";
import { LOCK_FILE, readLock, writeLock } from "./dvcLock.js";

/** Removes stage `name` (its key in the file) from the dvc.yaml at `pipelineFile` and the dvc.lock beside it. */
export async function removePipelineStage(pipelineFile: string, name: string): Promise<void> {
  const dir = dirname(pipelineFile);
  const lock = await readLock(dir);
  if (lock.stages.delete(name)) {
    if (lock.stages.size > 0) await writeLock(dir, lock);
    else await rm(join(dir, LOCK_FILE), { force: true });
  }
  await removeFromPipelineFile(pipelineFile, name);
}

async function removeFromPipelineFile(pipelineFile: string, name: string): Promise<void> {
  const text = await readFile(pipelineFile, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
  if (text === undefined) return;
  const yaml = yamlLibrary();
  const doc = yaml.parseDocument(text, { prettyErrors: false });
  if (doc.errors.length > 0 || !yaml.isMap(doc.contents)) {
    throw new FlowOpsError("INVALID_PARAMETER_VALUE", `${pipelineFile}: not a YAML mapping, left as it is`);
  }
  const stages = doc.contents.get("stages", true);
  if (!yaml.isMap(stages)) return;
  const index = stages.items.findIndex((pair) => yaml.isScalar(pair.key) && String(pair.key.value) === name);
  if (index < 0) return;
  if (stages.items.length === 1) {
    // dvc deletes the file once its last stage goes, even with top-level metrics, params or plots still in
    // it; those are kept here, under `stages: {}`.
    if (doc.contents.items.length === 1) return rm(pipelineFile, { force: true });
    doc.set("stages", doc.createNode({}));
    return writeFileAtomic(pipelineFile, redumpLikeRuamel(doc.toString(DVC_YAML_STRINGIFY)));
  }
  const cut = stages.flow === true ? undefined : withoutBlockPair(text, doc.contents, stages, index);
  if (cut !== undefined) return writeFileAtomic(pipelineFile, redumpLikeRuamel(cut));
  stages.items.splice(index, 1);
  return writeFileAtomic(pipelineFile, redumpLikeRuamel(doc.toString(DVC_YAML_STRINGIFY)));
}

/**
 * The text without the pair at `index` of the block mapping `stages`: from its key's line to the next key's
 * line, or for the last stage to the next top-level key (or the end). ruamel ties the comments and blank
 * lines after a value to that value, so they go with the stage; those above its key belong to the stage
 * before and stay. undefined when a key does not start its line.
 */
function withoutBlockPair(text: string, top: YAMLMap, stages: YAMLMap, index: number): string | undefined {
  const lineStartOf = (node: unknown): number | undefined => {
    const offset = (node as YamlNode | null)?.range?.[0];
    if (offset === undefined) return undefined;
    const start = text.lastIndexOf("\n", offset - 1) + 1;
    return text.slice(start, offset).trim() === "" ? start : undefined;
  };
  const from = lineStartOf(stages.items[index]!.key);
  if (from === undefined) return undefined;
  let to: number | undefined = text.length;
  const next = stages.items[index + 1];
  if (next !== undefined) {
    to = lineStartOf(next.key);
  } else {
    const topIndex = top.items.findIndex((pair) => pair.value === stages);
    const after = top.items[topIndex + 1];
    if (after !== undefined) to = lineStartOf(after.key);
  }
  return to === undefined ? undefined : text.slice(0, from) + text.slice(to);
}
