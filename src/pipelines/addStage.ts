/**
 * `dvc stage add`: declare a stage in the cwd's dvc.yaml without running it. The stage is written as dvc's
 * `to_pipeline_file` lays it out, appended to `stages` (or applied over the stage of that name with `force`),
 * and its cached outputs get their `.gitignore` entries at once, as dvc's `ignore_outs`. Checked first, with
 * dvc's messages: the name, an existing stage, the working directory, outputs another stage or `.dvc` file
 * declares or Git tracks; then the whole pipeline is parsed as repro will read it (cycles, overlaps).
 */
import { existsSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { stringifyLikeRuamel, updateYamlTextAt } from "../data/dvcFileUpdate.js";
import type { DataRepo } from "../data/dataRepo.js";
import { isSameOrInside, loadTrackedOuts } from "../data/dvcFile.js";
import { cwdRelative } from "../data/dvcTarget.js";
import { refuseGitTrackedOut } from "../data/gitTracked.js";
import { ensureGitignored } from "../data/gitignoreEntries.js";
import { checkNoOverlap, declaredOuts } from "../data/outputOverlap.js";
import { FlowOpsError } from "../errors.js";
import { writeFileAtomic } from "../writeFileAtomic.js";
import { yamlLibrary } from "../yamlLibrary.js";
import { PIPELINE_FILE, parsePipeline } from "./dvcYaml.js";
import { refuseGitIgnoredDvcFile } from "./gitIgnoredPipelineFiles.js";
import { buildDag } from "./pipelineDag.js";
import { readPipelinesIfAny } from "./pipelineFiles.js";
import { stageDefinitionDump } from "./stageDefinitionDump.js";

/** What `dvc stage add` takes on its command line, paths as given (relative to the stage's wdir). */
export interface StageSpec {
  name: string;
  /** The command line, already joined (dvc's `parse_cmd`). */
  cmd: string;
  deps?: string[];
  /** `-p` values: `key1,key2` of params.yaml or `file:key1,key2` (`file:` for all of a file). */
  params?: string[];
  outs?: string[];
  outsNoCache?: string[];
  outsPersist?: string[];
  outsPersistNoCache?: string[];
  metrics?: string[];
  metricsNoCache?: string[];
  plots?: string[];
  plotsNoCache?: string[];
  wdir?: string;
  alwaysChanged?: boolean;
  desc?: string;
}

export interface AddStageResult {
  /** dvc's "Added stage 'train' in 'dvc.yaml'". */
  message: string;
  /** Files Git should stage, cwd-relative. */
  toTrack: string[];
  /** Outputs (absolute) whose `.gitignore` entry this added, for taking back when `--run` fails. */
  ignored: string[];
  /** dvc's warning when an output's directory does not exist yet, so its `.gitignore` cannot be written. */
  warning?: string;
}

const INVALID_NAME_CHARS = /[\\/@:]/;

export async function addStage(
  repo: DataRepo,
  spec: StageSpec,
  options: { cwd: string; force?: boolean },
): Promise<AddStageResult> {
  const { cwd } = options;
  if (spec.cmd === "") throw invalid("command is not specified");
  if (INVALID_NAME_CHARS.test(spec.name)) throw invalid("Stage name cannot contain punctuation characters.");
  const pipelineFile = join(cwd, PIPELINE_FILE);
  const relFile = cwdRelative(cwd, pipelineFile);
  const wdir = resolve(cwd, spec.wdir ?? ".");
  const wdirInfo = statSync(wdir, { throwIfNoEntry: false });
  if (wdirInfo === undefined) throw invalid(`stage working dir '${wdir}' does not exist`);
  if (!wdirInfo.isDirectory()) throw invalid(`stage working dir '${wdir}' is not directory`);
  if (!isSameOrInside(wdir, repo.root)) throw invalid(`stage working dir '${wdir}' is outside of DVC repo`);
  // dvc's check_dvcfile_path: a stage written where Git will never see it is refused.
  refuseGitIgnoredDvcFile(repo, pipelineFile, relFile);

  const oldText = existsSync(pipelineFile) ? await readFile(pipelineFile, "utf8") : undefined;
  const existing =
    oldText === undefined ? undefined : await parsePipeline(cwd, pipelineFile, oldText, repo.root);
  if (options.force !== true && existing?.stages.some((stage) => stage.lockName === spec.name)) {
    throw invalid(`Stage '${spec.name}' already exists in '${relFile}'. Use '--force' to overwrite.`);
  }
  const definition = definitionOf(spec);
  if (oldText !== undefined) restoreFields(definition, yamlLibrary().parse(oldText)?.stages?.[spec.name]);
  const dumped = stageDefinitionDump(definition, pipelineFile, false);
  const text =
    oldText === undefined
      ? stringifyLikeRuamel({ stages: { [spec.name]: dumped } })
      : updateYamlTextAt(oldText, ["stages", spec.name], dumped);
  if (text === undefined) throw invalid(`${relFile}: 'stages' is not a mapping`);

  // The new stage as repro will read it, checked against every other output in the repository.
  const parsed = await parsePipeline(cwd, pipelineFile, text, repo.root);
  const added = parsed.stages.find((stage) => stage.lockName === spec.name)!;
  const pipeline = await readPipelinesIfAny(repo);
  const others = (pipeline?.stages ?? []).filter(
    (stage) => !(stage.pipelineFile === pipelineFile && stage.lockName === spec.name),
  );
  const declared = declaredOuts(await loadTrackedOuts(repo), others, cwd);
  const outs = [...added.outs, ...added.metrics, ...added.plots];
  for (const out of outs) {
    const abs = resolve(added.wdir, out.path);
    checkNoOverlap(declared, { abs, path: out.path, owner: spec.name });
    if (out.cache) await refuseGitTrackedOut(repo, abs, out.path);
  }
  if (pipeline !== undefined) {
    const stages = pipeline.stages.filter((stage) => stage.pipelineFile !== pipelineFile);
    buildDag({
      ...pipeline,
      stages: [...stages, ...parsed.stages],
    });
  }

  await writeFileAtomic(pipelineFile, text);
  const toTrack = [relFile];
  const ignored: string[] = [];
  let warning: string | undefined;
  for (const out of outs) {
    if (!out.cache) continue;
    const abs = resolve(added.wdir, out.path);
    if (repo.scm && !statSync(dirname(abs), { throwIfNoEntry: false })?.isDirectory()) {
      // dvc's `stage add` stops ignoring outs at the first such one; repro writes the entries when it runs.
      warning =
        `Could not create .gitignore entry in ${join(dirname(abs), ".gitignore")}. DVC will attempt to create ` +
        ".gitignore entry again when the stage is run.";
      break;
    }
    const gitignore = await ensureGitignored(repo, abs);
    if (gitignore === undefined) continue;
    toTrack.push(cwdRelative(cwd, gitignore));
    ignored.push(abs);
  }
  return {
    message: `Added stage '${spec.name}' in '${relFile}'`,
    toTrack: [...new Set(toTrack)],
    ignored,
    ...(warning !== undefined ? { warning } : {}),
  };
}

function invalid(message: string): FlowOpsError {
  return new FlowOpsError("INVALID_PARAMETER_VALUE", message);
}

/** The stage as a dvc.yaml definition, in the shape stageDefinitionDump reads. */
function definitionOf(spec: StageSpec): Record<string, unknown> {
  const flagged = (paths: string[] | undefined, flags: Record<string, unknown>): unknown[] =>
    (paths ?? []).map((path) => (Object.keys(flags).length === 0 ? path : { [path]: flags }));
  return {
    ...(spec.desc !== undefined ? { desc: spec.desc } : {}),
    cmd: spec.cmd,
    ...(spec.wdir !== undefined ? { wdir: spec.wdir } : {}),
    deps: spec.deps ?? [],
    params: paramsOf(spec.params ?? []),
    outs: [
      ...flagged(spec.outs, {}),
      ...flagged(spec.outsNoCache, { cache: false }),
      ...flagged(spec.outsPersist, { persist: true }),
      ...flagged(spec.outsPersistNoCache, { cache: false, persist: true }),
    ],
    metrics: [...flagged(spec.metrics, {}), ...flagged(spec.metricsNoCache, { cache: false })],
    plots: [...flagged(spec.plots, {}), ...flagged(spec.plotsNoCache, { cache: false })],
    ...(spec.alwaysChanged === true ? { always_changed: true } : {}),
  };
}

/** dvc's `parse_params`: `file:k1,k2` (params.yaml without a file), keys of one file gathered. */
function paramsOf(values: readonly string[]): Record<string, string[]>[] {
  const byFile = new Map<string, string[]>();
  for (const value of values) {
    const colon = value.lastIndexOf(":");
    const file = colon < 0 || colon === 0 ? "params.yaml" : value.slice(0, colon);
    const keys = (colon < 0 ? value : value.slice(colon + 1)).split(",").filter((key) => key !== "");
    byFile.set(file, [...(byFile.get(file) ?? []), ...keys]);
  }
  return [...byFile].map(([file, keys]) => ({ [file]: keys }));
}

const KEPT_OUT_KEYS = ["desc", "type", "labels", "meta", "remote", "push"] as const;

/**
 * dvc's `restore_fields`: a stage added over one of the same name (`--force`) keeps the old one's `desc` and
 * `meta` (a new `--desc` included), and each output the old stage also had keeps its annotations, remote and
 * push flag.
 */
function restoreFields(definition: Record<string, unknown>, old: unknown): void {
  if (typeof old !== "object" || old === null) return;
  const previous = old as Record<string, unknown>;
  delete definition.desc;
  delete definition.meta;
  if (previous.desc !== undefined) definition.desc = previous.desc;
  if (previous.meta !== undefined) definition.meta = previous.meta;
  const oldFlags = new Map<string, Record<string, unknown>>();
  for (const key of ["outs", "metrics", "plots"]) {
    for (const entry of Array.isArray(previous[key]) ? (previous[key] as unknown[]) : []) {
      if (typeof entry === "string") oldFlags.set(entry, {});
      else if (typeof entry === "object" && entry !== null) {
        for (const [path, flags] of Object.entries(entry))
          oldFlags.set(path, (flags ?? {}) as Record<string, unknown>);
      }
    }
  }
  for (const key of ["outs", "metrics", "plots"]) {
    definition[key] = (definition[key] as unknown[]).map((entry) => {
      const [path, flags] = typeof entry === "string" ? [entry, {}] : Object.entries(entry as object)[0]!;
      const kept = oldFlags.get(path);
      if (kept === undefined) return entry;
      const merged: Record<string, unknown> = { ...(flags as Record<string, unknown>) };
      for (const name of KEPT_OUT_KEYS) {
        delete merged[name];
        if (kept[name] !== undefined) merged[name] = kept[name];
      }
      return Object.keys(merged).length === 0 ? path : { [path]: merged };
    });
  }
}
