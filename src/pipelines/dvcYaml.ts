/**
 * Reads `dvc.yaml` into resolved stages: DVC's schema (dvc/schema.py, unknown keys rejected), `${...}`
 * interpolation, foreach/matrix expansion with DVC's generated names, and the FlowOps settings of
 * `flowops.yaml` merged in. Every error names `dvc.yaml:line`, but those of interpolation, which are dvc's
 * ResolveError (pipelineResolveError.ts). It does not look at the workspace beyond the
 * params/vars files interpolation needs; hashing and status belong to the executor.
 */
import { isAbsolute, join, posix, relative, sep } from "node:path";
import { FlowOpsError } from "../errors.js";
import { malformedFile, malformedFileProblems } from "../data/yamlFile.js";
import { dvcFileInvalid, parseDvcFileYaml, placedProblem } from "../data/dvcFileErrors.js";
import type { TrackedOut } from "../data/dvcFile.js";
import {
  InterpolationContext,
  InterpolationError,
  checkExpressions,
  trackedVarKeys,
} from "./interpolation.js";
import { DEFAULT_PARAMS_FILE } from "./paramsFile.js";
import { PipelineResolveError } from "./pipelineResolveError.js";
import { expandStage, FOREACH_KEY, MATRIX_KEY, type StageInstance } from "./stageExpansion.js";
import { readFlowopsStageConfig, type StageSettings } from "./flowopsStageConfig.js";
import { isPlainObject, parsePythonYaml } from "./pythonValues.js";
import { validateStageDefinition, validateTopLevel } from "./dvcYamlSchema.js";
import { parseStageOuts, type StageOut } from "./stageOuts.js";
import { readUtf8File } from "../data/utf8Text.js";

export type { StageOut } from "./stageOuts.js";

export const PIPELINE_FILE = "dvc.yaml";

/** The `dvc.yaml:line: message` error for the node at `keyPath`. */
export type Fail = (keyPath: (string | number)[], message: string) => FlowOpsError;

/** dvc's ResolveError for `where` (`'vars'`, `'stages.s.cmd'`) of this dvc.yaml failing with `reason`. */
type Unresolved = (where: string, reason: InterpolationError) => PipelineResolveError;

export interface ParamsDep {
  /** Params file relative to the stage's wdir (POSIX), `params.yaml` by default. */
  file: string;
  keys: string[] | "all";
}

export interface Stage {
  /**
   * The stage as DVC addresses it from the repo root (`PipelineStage.addressing`): `train` in the root
   * dvc.yaml, `prep/dvc.yaml:clean` in another one. Unique across the repo's pipeline files.
   */
  name: string;
  /** The name inside its own dvc.yaml: the key of its dvc.lock entry. */
  lockName: string;
  /** Absolute path of the dvc.yaml that defines it; its dvc.lock lies beside it. */
  pipelineFile: string;
  /** Command lines, run in order; a string `cmd` is one line. */
  cmd: string[];
  /** True when dvc.yaml wrote `cmd` as a string (dvc.lock records it in the same shape). */
  cmdIsString: boolean;
  /** Absolute working directory. */
  wdir: string;
  /** wdir relative to the repo root, POSIX, `.` for the root. */
  relWdir: string;
  deps: string[];
  params: ParamsDep[];
  outs: StageOut[];
  metrics: StageOut[];
  plots: StageOut[];
  frozen: boolean;
  alwaysChanged: boolean;
  desc?: string;
  meta?: unknown;
  gpus?: { count: number; type?: string };
  timeoutSeconds?: number;
  retries?: number;
  /** The foreach/matrix group this stage was generated from, addressed like `name`. */
  group?: string;
  /** Line of the stage (or its group) in dvc.yaml. */
  line: number;
  /** Keys of vars files (repo-relative) its `${...}` used: dvc's `tracked_vars`, which `params diff` lists. */
  trackedVars?: Record<string, string[]>;
}

export interface Pipeline {
  /** Absolute path of the root dvc.yaml (the one errors about the whole pipeline name). */
  file: string;
  /** The repo root. */
  root: string;
  /** Every dvc.yaml read (absolute, sorted); `[file]` for a single-file pipeline. */
  files: string[];
  stages: Stage[];
  /** Top-level `params` files and `metrics` files (relative to root, POSIX). */
  params: string[];
  metrics: string[];
  plots: unknown[];
  /** Top-level `plots` of each dvc.yaml (absolute path) that has some, in `files` order: plot ids are per file. */
  plotsByFile?: { file: string; plots: unknown[] }[];
  artifacts: Record<string, unknown>;
  /**
   * The outs of the workspace's `.dvc` files, found by the walk that found the dvc.yaml files (DVC's index
   * holds both kinds of stage); absent for a pipeline read from one file.
   */
  trackedOuts?: TrackedOut[];
}

/** DVC's address of stage `name` of the dvc.yaml at `dvcfile` (repo-relative POSIX). */
export function stageAddress(dvcfile: string, name: string): string {
  return dvcfile === PIPELINE_FILE ? name : `${dvcfile}:${name}`;
}

/** DVC's `addressing` of a stage as dvc prints it from `cwd`: the name alone in the cwd's dvc.yaml. */
export function cwdStageAddress(stage: Stage, cwd: string): string {
  return stageAddress(relative(cwd, stage.pipelineFile).split(sep).join("/"), stage.lockName);
}

/**
 * Reads `<root>/dvc.yaml` only (and `<root>/flowops.yaml` when present); pipelineFiles.ts reads every
 * dvc.yaml of a repo.
 */
export async function readPipeline(root: string): Promise<Pipeline> {
  const file = join(root, PIPELINE_FILE);
  let text: string;
  try {
    text = await readUtf8File(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new FlowOpsError("RESOURCE_DOES_NOT_EXIST", `${file}: file not found (no pipeline defined)`);
    }
    throw error;
  }
  const pipeline = await parsePipeline(root, file, text);
  await applyFlowopsConfig(pipeline);
  return pipeline;
}

/** Merges `<repo root>/flowops.yaml` settings into the stages they name. */
export async function applyFlowopsConfig(pipeline: Pipeline): Promise<void> {
  const config = await readFlowopsStageConfig(pipeline.root);
  if (config !== undefined) applySettings(pipeline, config.file, config.stages);
}

/**
 * Parses dvc.yaml text; `root` is the directory the file lives in, `repoRoot` the repository's root (stage
 * names are addressed and `relWdir`, `params` and `metrics` made relative to it).
 */
export async function parsePipeline(
  root: string,
  file: string,
  text: string,
  repoRoot: string = root,
): Promise<Pipeline> {
  const dvcfile = relative(repoRoot, file).split(sep).join("/");
  const yaml = parseDvcFileYaml(() => parsePythonYaml(file, text));
  const fail: Fail = (keyPath, message) => malformedFile(file, yaml.lineOf(keyPath), message);
  const unresolved: Unresolved = (where, reason) => new PipelineResolveError(file, repoRoot, where, reason);
  const doc = yaml.value ?? {};
  const problems = validateTopLevel(doc);
  const top = doc as Record<string, unknown>;
  if (isPlainObject(top.stages)) {
    for (const [name, def] of Object.entries(top.stages))
      problems.push(...validateStageDefinition(name, def));
  }
  if (problems.length > 0) {
    const located = problems.map(({ path, message }) => ({
      line: yaml.lineOf(path),
      message: placedProblem(yaml, path, message),
    }));
    throw dvcFileInvalid(malformedFileProblems(file, located));
  }
  const rawStages = (top.stages ?? {}) as Record<string, Record<string, unknown>>;

  const context = InterpolationContext.empty();
  const vars = (top.vars ?? []) as unknown[];
  await wrap(unresolved, "'vars'", async () => {
    checkNoInterpolation(vars);
    await context.loadVars(vars, root, true);
  });

  const stages: Stage[] = [];
  const seen = new Set<string>();
  for (const [name, def] of Object.entries(rawStages)) {
    const line = yaml.lineOf(["stages", name]);
    for (const key of Object.keys(def)) {
      if (key === FOREACH_KEY || key === MATRIX_KEY) continue;
      const value = def[key];
      await wrap(unresolved, `'stages.${name}.${key}'`, () => checkExpressions(value));
    }
    const { result: instances, used: groupUsed } = await context.track(() =>
      wrap(unresolved, `'stages.${name}.${FOREACH_KEY in def ? FOREACH_KEY : MATRIX_KEY}'`, () =>
        expandStage(name, def, context),
      ),
    );
    for (const instance of instances) {
      if (seen.has(instance.name)) throw fail(["stages", name], `stage '${instance.name}' is defined twice`);
      seen.add(instance.name);
      const { result: stage, used } = await context.track(() =>
        resolveInstance(root, repoRoot, instance, context, { fail, unresolved }, line),
      );
      const trackedVars = trackedVarKeys(repoRoot, [groupUsed, used]);
      if (Object.keys(trackedVars).length > 0) stage.trackedVars = trackedVars;
      stage.pipelineFile = file;
      stage.lockName = stage.name;
      stage.name = stageAddress(dvcfile, stage.name);
      if (stage.group !== undefined) stage.group = stageAddress(dvcfile, stage.group);
      stages.push(stage);
    }
  }
  const fromRepoRoot = (path: unknown): string =>
    posix.normalize(posix.join(relative(repoRoot, root).split(sep).join("/") || ".", String(path)));
  return {
    file,
    root: repoRoot,
    files: [file],
    stages,
    params: ((top.params ?? []) as unknown[]).map(fromRepoRoot),
    metrics: ((top.metrics ?? []) as unknown[]).map(fromRepoRoot),
    plots: (top.plots ?? []) as unknown[],
    artifacts: (top.artifacts ?? {}) as Record<string, unknown>,
  };
}

async function wrap<T>(unresolved: Unresolved, where: string, fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof InterpolationError) throw unresolved(where, error);
    throw error;
  }
}

function checkNoInterpolation(value: unknown): void {
  const text = JSON.stringify(value);
  if (/(?<!\\\\)\$\{/.test(text)) throw new InterpolationError("interpolating is not allowed");
}

async function resolveInstance(
  root: string,
  repoRoot: string,
  instance: StageInstance,
  groupContext: InterpolationContext,
  { fail, unresolved }: { fail: Fail; unresolved: Unresolved },
  line: number,
): Promise<Stage> {
  const { name, template, templatePath } = instance;
  const at = (key: string): (string | number)[] => [...templatePath, key];
  const resolveAll = async (context: InterpolationContext): Promise<Record<string, unknown>> => {
    const wdirRaw = template.wdir;
    const wdirText =
      wdirRaw === undefined
        ? "."
        : String(await wrap(unresolved, `'stages.${name}.wdir'`, () => context.resolve(wdirRaw, "wdir")));
    const wdirAbs = join(root, wdirText);
    const stageVars = (template.vars ?? []) as unknown[];
    let local = context;
    if (stageVars.length > 0) {
      local = context.clone();
      await wrap(unresolved, `'stages.${name}.vars'`, async () => {
        checkNoInterpolation(stageVars);
        await local.loadVars(stageVars, wdirAbs, false, name);
      });
    }
    const resolved: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(template)) {
      if (key === "vars") continue;
      resolved[key] = await wrap(unresolved, `'stages.${name}.${key}'`, () => local.resolve(value, key));
    }
    resolved.wdir = wdirText;
    return resolved;
  };
  const bindings = instance.bindings;
  let resolved: Record<string, unknown>;
  if (bindings === undefined) {
    resolved = await resolveAll(groupContext);
  } else {
    // item/key shadow globals of the same name for this instance only (DVC warns and does so).
    resolved = await resolveAll(groupContext.withBindings(bindings));
  }
  return toStage(root, repoRoot, name, resolved, fail, at, line, instance.group);
}

function toStage(
  root: string,
  repoRoot: string,
  name: string,
  d: Record<string, unknown>,
  fail: Fail,
  at: (key: string) => (string | number)[],
  line: number,
  group: string | undefined,
): Stage {
  const cmdRaw = d.cmd;
  const cmdIsString = typeof cmdRaw === "string";
  const cmd = cmdIsString ? [cmdRaw] : Array.isArray(cmdRaw) ? cmdRaw : undefined;
  if (cmd === undefined || cmd.length === 0 || !cmd.every((c) => typeof c === "string" && c !== "")) {
    throw fail(at("cmd"), `stage '${name}': cmd must be a non-empty string or list of strings`);
  }
  const wdirText = String(d.wdir);
  const wdir = join(root, wdirText);
  if (isAbsolute(wdirText) || relative(repoRoot, wdir).startsWith("..")) {
    throw fail(at("wdir"), `stage '${name}': wdir '${wdirText}' is outside the repository`);
  }
  const relWdir = relative(repoRoot, wdir).split(sep).join("/") || ".";
  const stringList = (key: string): string[] => {
    const value = d[key] ?? [];
    if (!Array.isArray(value) || !value.every((v) => typeof v === "string" && v !== "")) {
      throw fail(at(key), `stage '${name}': ${key} must be a list of paths`);
    }
    return value as string[];
  };
  const stage: Stage = {
    name,
    lockName: name,
    pipelineFile: join(root, PIPELINE_FILE),
    cmd: cmd as string[],
    cmdIsString,
    wdir,
    relWdir,
    deps: stringList("deps"),
    params: toParams(d.params, name, fail, at),
    outs: parseStageOuts(d.outs, "outs", name, fail, at, { wdir, repoRoot }),
    metrics: parseStageOuts(d.metrics, "metrics", name, fail, at, { wdir, repoRoot }),
    plots: parseStageOuts(d.plots, "plots", name, fail, at, { wdir, repoRoot }),
    frozen: d.frozen === true,
    alwaysChanged: d.always_changed === true,
    line,
  };
  if (typeof d.desc === "string") stage.desc = d.desc;
  if (d.meta !== undefined) stage.meta = d.meta;
  if (group !== undefined) stage.group = group;
  return stage;
}

function toParams(
  raw: unknown,
  name: string,
  fail: Fail,
  at: (key: string) => (string | number)[],
): ParamsDep[] {
  const byFile = new Map<string, string[] | "all">();
  const add = (file: string, keys: string[] | "all"): void => {
    const previous = byFile.get(file);
    if (previous === "all" || keys === "all") byFile.set(file, "all");
    else byFile.set(file, [...new Set([...(previous ?? []), ...keys])]);
  };
  for (const [index, entry] of ((raw ?? []) as unknown[]).entries()) {
    if (typeof entry === "string") {
      add(DEFAULT_PARAMS_FILE, [entry]);
      continue;
    }
    if (!isPlainObject(entry)) throw fail([...at("params"), index], `stage '${name}': invalid params entry`);
    for (const [file, keys] of Object.entries(entry)) {
      if (keys === null || (Array.isArray(keys) && keys.length === 0)) add(file, "all");
      else if (Array.isArray(keys) && keys.every((k) => typeof k === "string")) add(file, keys as string[]);
      else
        throw fail(
          [...at("params"), index, file],
          `stage '${name}': params of '${file}' must be a list of keys`,
        );
    }
  }
  return [...byFile].map(([file, keys]) => ({ file, keys }));
}

function applySettings(pipeline: Pipeline, file: string, settings: Map<string, StageSettings>): void {
  const names = new Set(
    pipeline.stages.flatMap((s) => (s.group === undefined ? [s.name] : [s.name, s.group])),
  );
  for (const [name, entry] of settings) {
    if (!names.has(name)) throw malformedFile(file, entry.line, `stage '${name}' is not defined in dvc.yaml`);
  }
  for (const stage of pipeline.stages) {
    const own = settings.get(stage.name);
    const fromGroup = stage.group === undefined ? undefined : settings.get(stage.group);
    const merged = { ...fromGroup, ...own };
    if (merged.gpus !== undefined) stage.gpus = merged.gpus;
    if (merged.timeoutSeconds !== undefined) stage.timeoutSeconds = merged.timeoutSeconds;
    if (merged.retries !== undefined) stage.retries = merged.retries;
  }
}
