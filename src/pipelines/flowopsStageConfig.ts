/**
 * `flowops.yaml` beside dvc.yaml: FlowOps-only settings per stage (GPUs, timeout, retries). They live in a
 * separate file because DVC rejects unknown keys in dvc.yaml, and `dvc` must keep reading our pipelines.
 *
 *   stages:
 *     train: {gpus: 1, gpu_type: A100, timeout: 600, retries: 2}
 *     build: {timeout: 60}        # a foreach/matrix group name applies to every generated stage
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { malformedFile, readYamlFile } from "../data/yamlFile.js";
import { isPlainObject } from "./pythonValues.js";

export const FLOWOPS_STAGE_FILE = "flowops.yaml";

export interface StageSettings {
  gpus?: { count: number; type?: string };
  timeoutSeconds?: number;
  retries?: number;
  /** Line of the stage entry in flowops.yaml. */
  line: number;
}

export interface FlowopsStageConfig {
  file: string;
  stages: Map<string, StageSettings>;
}

const KEYS = new Set(["gpus", "gpu_type", "timeout", "retries"]);

/** Reads `<root>/flowops.yaml`; undefined when the file does not exist. */
export async function readFlowopsStageConfig(root: string): Promise<FlowopsStageConfig | undefined> {
  const file = join(root, FLOWOPS_STAGE_FILE);
  if (!existsSync(file)) return undefined;
  const yaml = await readYamlFile(file);
  const doc = yaml.value ?? {};
  if (!isPlainObject(doc)) throw malformedFile(file, 1, "expected a mapping with a 'stages' key");
  for (const key of Object.keys(doc)) {
    if (key !== "stages")
      throw malformedFile(file, yaml.lineOf([key]), `unknown key '${key}' (expected 'stages')`);
  }
  const stages = new Map<string, StageSettings>();
  const raw = doc.stages ?? {};
  if (!isPlainObject(raw)) throw malformedFile(file, yaml.lineOf(["stages"]), "'stages' must be a mapping");
  for (const [name, entry] of Object.entries(raw)) {
    const at = (key?: string): number =>
      yaml.lineOf(key === undefined ? ["stages", name] : ["stages", name, key]);
    if (!isPlainObject(entry)) throw malformedFile(file, at(), `stage '${name}' must be a mapping`);
    for (const key of Object.keys(entry)) {
      if (!KEYS.has(key)) {
        throw malformedFile(
          file,
          at(key),
          `stage '${name}': unknown key '${key}' (expected gpus, gpu_type, timeout, retries)`,
        );
      }
    }
    const settings: StageSettings = { line: at() };
    const { gpus, gpu_type: gpuType, timeout, retries } = entry;
    if (gpus !== undefined && (!Number.isInteger(gpus) || (gpus as number) < 0)) {
      throw malformedFile(file, at("gpus"), `stage '${name}': gpus must be a non-negative integer`);
    }
    if (gpuType !== undefined && (typeof gpuType !== "string" || gpuType === "")) {
      throw malformedFile(file, at("gpu_type"), `stage '${name}': gpu_type must be a non-empty string`);
    }
    if (gpuType !== undefined && gpus === undefined) {
      throw malformedFile(file, at("gpu_type"), `stage '${name}': gpu_type needs gpus`);
    }
    if (timeout !== undefined && (typeof timeout !== "number" || !(timeout > 0))) {
      throw malformedFile(
        file,
        at("timeout"),
        `stage '${name}': timeout must be a positive number of seconds`,
      );
    }
    if (retries !== undefined && (!Number.isInteger(retries) || (retries as number) < 0)) {
      throw malformedFile(file, at("retries"), `stage '${name}': retries must be a non-negative integer`);
    }
    if (typeof gpus === "number" && gpus > 0) {
      settings.gpus = typeof gpuType === "string" ? { count: gpus, type: gpuType } : { count: gpus };
    }
    if (typeof timeout === "number") settings.timeoutSeconds = timeout;
    if (typeof retries === "number") settings.retries = retries;
    stages.set(name, settings);
  }
  return { file, stages };
}
