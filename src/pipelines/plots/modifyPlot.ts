/**
 * `dvc plots modify`: set or unset display properties of a stage output in dvc.yaml, turning it into a plot
 * if it was not one. The stage is written back as dvc's `dump` writes it (stageDefinitionDump.ts), so the
 * entry moves to the stage's `plots` list with its other flags kept.
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { cwdRelative } from "../../data/dvcTarget.js";
import { updateYamlTextAt } from "../../data/dvcFileUpdate.js";
import { FlowOpsError } from "../../errors.js";
import { writeFileAtomic } from "../../writeFileAtomic.js";
import { yamlLibrary } from "../../yamlLibrary.js";
import { cwdStageAddress, type Pipeline, type Stage } from "../dvcYaml.js";
import { isPlainObject } from "../pythonValues.js";
import { stageDefinitionDump } from "../stageDefinitionDump.js";
import type { PlotProps } from "./vegaConverter.js";
import { getTemplate } from "./vegaTemplates.js";

/** Keys of an output entry that are not display properties (dvc's out flags and annotations). */
const OUT_FLAG_KEYS = new Set(["cache", "persist", "remote", "push", "desc", "type", "labels", "meta"]);
const OUT_LISTS = ["outs", "metrics", "plots"] as const;

export interface ModifyOptions {
  cwd: string;
  root: string;
  /** The workspace's pipeline, to find which stage writes the target. */
  pipeline: Pipeline | undefined;
  props: PlotProps;
  /** Properties to remove; present (even empty) means `--unset` was given. */
  unset?: readonly string[];
  /** The templates directory (`.dvc/plots`), for checking a template name. */
  templatesDir: string;
  onModified?: (message: string) => void;
}

export async function modifyPlot(target: string, options: ModifyOptions): Promise<void> {
  const abs = resolve(options.cwd, target);
  const named = cwdRelative(options.cwd, abs);
  const template = options.props.template;
  if (typeof template === "string" && template !== "") {
    try {
      getTemplate(template, options.templatesDir);
    } catch (error) {
      // dvc lets the template error through its exception handler unwrapped.
      if (error instanceof FlowOpsError)
        throw new FlowOpsError(error.code, `unexpected error - ${error.message}`);
      throw error;
    }
  }
  const found = findOutput(options.pipeline, abs);
  if (found === undefined) {
    throw new FlowOpsError("RESOURCE_DOES_NOT_EXIST", `Unable to find DVC file with output '${named}'`);
  }
  const { stage, outPath } = found;
  const text = await readFile(stage.pipelineFile, "utf8");
  const definition = (yamlLibrary().parse(text) as { stages?: Record<string, unknown> }).stages?.[
    stage.lockName
  ];
  if (stage.group !== undefined || !isPlainObject(definition) || JSON.stringify(definition).includes("${")) {
    throw new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      `cannot dump a parametrized stage: '${cwdStageAddress(stage, options.cwd)}'`,
    );
  }
  const entry = takeEntry(definition, outPath);
  const flags: Record<string, unknown> = {};
  let plot: Record<string, unknown> | boolean = entry.list === "plots";
  for (const [key, value] of Object.entries(entry.options)) {
    if (OUT_FLAG_KEYS.has(key)) flags[key] = value;
    else if (entry.list === "plots") plot = { ...(plot === true ? {} : (plot as object)), [key]: value };
  }
  if (plot === false && options.unset !== undefined) {
    throw new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      `'${named}' is not a known plot. Use \`dvc plots modify\` to turn it into one.`,
    );
  }
  let props: Record<string, unknown> = typeof plot === "object" ? plot : {};
  const missing = (options.unset ?? []).filter((name) => !Object.hasOwn(props, name));
  if (missing.length > 0) {
    throw new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      `display properties [${missing.map((name) => `'${name}'`).join(", ")}] not found in plot '${named}'`,
    );
  }
  props = Object.fromEntries(Object.entries(props).filter(([key]) => !(options.unset ?? []).includes(key)));
  props = { ...props, ...options.props };
  const entryOptions = { ...flags, ...props };
  const plots = Array.isArray(definition.plots) ? definition.plots : [];
  plots.push(Object.keys(entryOptions).length > 0 ? { [outPath]: entryOptions } : outPath);
  definition.plots = plots;
  const dumped = stageDefinitionDump(definition, stage.pipelineFile, definition.frozen === true);
  const updated = updateYamlTextAt(text, ["stages", stage.lockName], dumped);
  if (updated === undefined) {
    throw new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      `${stage.pipelineFile}: cannot rewrite stage '${stage.lockName}'`,
    );
  }
  options.onModified?.(
    `Modifying stage '${stage.lockName}' in '${cwdRelative(options.cwd, stage.pipelineFile)}'`,
  );
  if (updated !== text) await writeFileAtomic(stage.pipelineFile, updated);
}

/** The dvc.yaml stage that writes `abs`, and the out's path as the stage writes it. */
function findOutput(
  pipeline: Pipeline | undefined,
  abs: string,
): { stage: Stage; outPath: string } | undefined {
  for (const stage of pipeline?.stages ?? []) {
    for (const out of [...stage.outs, ...stage.metrics, ...stage.plots]) {
      if (resolve(stage.wdir, out.path) === abs) return { stage, outPath: out.path };
    }
  }
  return undefined;
}

/** Removes the entry for `path` from the stage's outs, metrics or plots, with its options. */
function takeEntry(
  definition: Record<string, unknown>,
  path: string,
): { list: (typeof OUT_LISTS)[number]; options: Record<string, unknown> } {
  for (const list of OUT_LISTS) {
    const entries = definition[list];
    if (!Array.isArray(entries)) continue;
    const index = entries.findIndex(
      (entry) => entry === path || (isPlainObject(entry) && Object.keys(entry)[0] === path),
    );
    if (index < 0) continue;
    const [entry] = entries.splice(index, 1);
    const options = isPlainObject(entry) ? entry[path] : undefined;
    return { list, options: isPlainObject(options) ? { ...options } : {} };
  }
  throw new FlowOpsError("RESOURCE_DOES_NOT_EXIST", `no output '${path}' in stage definition`);
}
