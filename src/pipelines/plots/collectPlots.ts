/**
 * What dvc's `Plots.collect` gathers for one revision: the plot definitions (top-level `plots` of each
 * dvc.yaml, stage `plots` outputs, and files named on the command line) and the parsed data of every file
 * they draw from. Paths are as dvc names them: relative to the directory the command runs in, POSIX.
 */
import { posix, relative, resolve, sep } from "node:path";
import type { Pipeline } from "../dvcYaml.js";
import { filesUnderAtRevision, type Revision } from "../revisionFiles.js";
import type { TrackedFileReader } from "../trackedFileText.js";
import { isPlainObject } from "../pythonValues.js";
import { parsePlotData, type PlotError, type PlotSource } from "./plotData.js";
import type { PlotProps } from "./vegaConverter.js";

/** dvc's `PLOT_PROPS`: what a stage's plot output may set and the command line may override. */
export const PLOT_PROP_NAMES = ["template", "x", "y", "x_label", "y_label", "title", "header"] as const;

/** Plot ids and their properties, by the config file that defines them (`""`: stage outputs and targets). */
export type PlotDefinitions = Record<string, { data: Record<string, PlotProps> }>;

export interface RevisionPlots {
  definitions: PlotDefinitions;
  /** Each data file the definitions draw from, parsed, or why it could not be. */
  sources: Record<string, PlotSource>;
}

export interface CollectOptions {
  /** The repository root, and the directory paths are named from. */
  root: string;
  cwd: string;
  /** The pipeline as the revision defines it (its `root` may be a temporary copy). */
  pipeline: Pipeline | undefined;
  rev: Revision;
  reader: TrackedFileReader;
  /** dvc's plot targets: regular expressions matched at the start of a plot id, or data files to draw. */
  targets: readonly string[];
  /** Properties given on the command line; they override every definition's. */
  props: PlotProps;
}

/** One revision's plots; undefined when nothing there defines or names a plot (dvc leaves such revisions out). */
export async function collectRevisionPlots(options: CollectOptions): Promise<RevisionPlots | undefined> {
  const collector = new PlotCollector(options);
  const definitions = await collector.definitions();
  if (Object.keys(definitions).length === 0) return undefined;
  return { definitions, sources: await collector.sources(definitions) };
}

class PlotCollector {
  /** Repo-relative path of each stage plot output, with its plot properties (for `header`). */
  private readonly outputProps = new Map<string, PlotProps>();

  constructor(private readonly o: CollectOptions) {}

  /** A path of the revision's pipeline copy (or the workspace) as dvc names it from the cwd. */
  private named(pipelinePath: string): string {
    const fromRoot = relative(this.o.pipeline?.root ?? this.o.root, pipelinePath);
    return relative(this.o.cwd, resolve(this.o.root, fromRoot)).split(sep).join("/") || ".";
  }

  private repoPath(named: string): string {
    return relative(this.o.root, resolve(this.o.cwd, named)).split(sep).join("/");
  }

  async definitions(): Promise<PlotDefinitions> {
    const result: PlotDefinitions = {};
    const merge = (config: string, data: Record<string, PlotProps>): void => {
      const target = (result[config] ??= { data: {} }).data;
      for (const [id, props] of Object.entries(data)) target[id] = { ...target[id], ...props };
    };
    for (const { file, plots } of this.o.pipeline?.plotsByFile ?? []) {
      const configPath = this.named(file);
      merge(configPath, await this.resolveDefinitions(configPath, topLevelDefinitions(plots)));
    }
    for (const stage of this.o.pipeline?.stages ?? []) {
      const configPath = this.named(stage.pipelineFile);
      const wdir = this.named(stage.wdir);
      for (const out of stage.plots) {
        const props = projectPlotProps(out.plot);
        const path = posix.normalize(posix.join(wdir, out.path));
        this.outputProps.set(this.repoPath(path), props);
        if (!matches(this.o.targets, configPath, path)) continue;
        merge("", await this.unpackIfDir(path, { ...props, ...this.o.props }));
      }
    }
    const anyDefinitions = Object.keys(result).length > 0;
    for (const target of this.o.targets) {
      const path = posix.normalize(target.split(sep).join("/"));
      if (!anyDefinitions || (await this.exists(path)))
        merge("", await this.unpackIfDir(path, { ...this.o.props }));
    }
    return result;
  }

  /** dvc's `_resolve_definitions` for one dvc.yaml's top-level plots. */
  private async resolveDefinitions(
    configPath: string,
    definitions: Map<string, PlotProps | null>,
  ): Promise<Record<string, PlotProps>> {
    const configDir = posix.dirname(configPath);
    const result: Record<string, PlotProps> = {};
    const parents = [...definitions.keys()].map((id) => posix.normalize(posix.join(configDir, id)));
    for (const [id, given] of definitions) {
      const props = given ?? {};
      if (!matches(this.o.targets, configPath, id)) continue;
      if (!isPlainObject(props.y)) {
        const dataPath = posix.normalize(posix.join(configDir, id));
        const unpacked = await this.unpackIfDir(dataPath, { ...props, ...this.o.props });
        // A file in a directory plot takes the definition of its closest plotted parent.
        for (const [file, fileProps] of Object.entries(unpacked)) {
          if (closestParent(file, parents) === dataPath) result[file] = { ...result[file], ...fileProps };
        }
      } else {
        result[id] = { ...adjustSources(props, configDir), ...this.o.props };
      }
    }
    return result;
  }

  /** `unpack_if_dir`: each file of a directory, or the path itself, with `props`. */
  private async unpackIfDir(path: string, props: PlotProps): Promise<Record<string, PlotProps>> {
    const files = await this.filesUnder(path);
    const result: Record<string, PlotProps> = {};
    if (files === undefined || files.length === 0) {
      result[path] = { ...props };
      return result;
    }
    for (const file of files) {
      result[relative(this.o.cwd, resolve(this.o.root, file)).split(sep).join("/")] = { ...props };
    }
    return result;
  }

  /** The files under a directory, in Git (or the workspace) or in a cached directory out's manifest. */
  private async filesUnder(path: string): Promise<string[] | undefined> {
    const repoPath = this.repoPath(path);
    return (
      (await filesUnderAtRevision(this.o.root, repoPath, this.o.rev)) ??
      (await this.o.reader.listCachedFiles(repoPath, this.o.rev, this.o.pipeline))
    );
  }

  private async exists(path: string): Promise<boolean> {
    const repoPath = this.repoPath(path);
    if ((await this.filesUnder(path)) !== undefined) return true;
    return (await this.o.reader.readBytes(repoPath, this.o.rev, this.o.pipeline)) !== undefined;
  }

  /** Every data file the definitions draw from, parsed (dvc's `_collect_data_sources`). */
  async sources(definitions: PlotDefinitions): Promise<Record<string, PlotSource>> {
    const paths = new Set<string>();
    for (const config of Object.values(definitions)) {
      for (const [id, props] of Object.entries(config.data)) {
        for (const source of inferDataSources(id, props)) paths.add(source);
      }
    }
    const sources: Record<string, PlotSource> = {};
    for (const path of paths) {
      const repoPath = this.repoPath(path);
      const props = { ...this.outputProps.get(repoPath), ...this.o.props };
      const bytes = await this.o.reader.readBytes(repoPath, this.o.rev, this.o.pipeline);
      sources[path] =
        bytes === undefined
          ? { error: missingFile(path) }
          : parsePlotData(path, bytes, { header: props.header });
    }
    return sources;
  }
}

function missingFile(path: string): PlotError {
  return { type: "FileNotFoundError", msg: `[Errno 2] No such file or directory: '${path}'` };
}

/** A top-level `plots` list as an ordered mapping: a bare string is an id without properties. */
function topLevelDefinitions(plots: readonly unknown[]): Map<string, PlotProps | null> {
  const definitions = new Map<string, PlotProps | null>();
  for (const entry of plots) {
    if (typeof entry === "string") definitions.set(entry, null);
    else if (isPlainObject(entry)) {
      const [id, props] = Object.entries(entry)[0] ?? [];
      if (id !== undefined) definitions.set(id, isPlainObject(props) ? { ...props } : null);
    }
  }
  return definitions;
}

/** dvc's `_plot_props`: the plot properties of a stage output, `{}` for `plots: [file]`. */
function projectPlotProps(plot: Record<string, unknown> | undefined): PlotProps {
  const props: PlotProps = {};
  for (const name of PLOT_PROP_NAMES) {
    if (plot !== undefined && Object.hasOwn(plot, name)) props[name] = plot[name];
  }
  return props;
}

/** `_adjust_sources`: file keys of x and y dictionaries made relative to the cwd through the config's dir. */
function adjustSources(props: PlotProps, configDir: string): PlotProps {
  const adjusted: PlotProps = structuredClone(props);
  for (const axis of ["x", "y"] as const) {
    if (axis === "x" && (!(axis in adjusted) || typeof adjusted[axis] === "string")) continue;
    const old = adjusted[axis];
    delete adjusted[axis];
    const moved: Record<string, unknown> = {};
    if (isPlainObject(old)) {
      for (const [file, value] of Object.entries(old))
        moved[posix.normalize(posix.join(configDir, file))] = value;
    }
    adjusted[axis] = moved;
  }
  return adjusted;
}

/** `infer_data_sources`: the files of a y dictionary (or the id itself) and the first file of an x one. */
export function inferDataSources(plotId: string, props: PlotProps | null | undefined): string[] {
  const y = props?.y;
  const sources = isPlainObject(y) ? Object.keys(y) : [plotId];
  const x = props?.x;
  if (isPlainObject(x)) {
    const first = Object.keys(x)[0];
    if (first !== undefined) sources.push(first);
  }
  return [...new Set(sources)];
}

/** dvc's `_matches`: any target, as a regular expression, matching the start of the id or `config::id`. */
function matches(targets: readonly string[], configFile: string, plotId: string): boolean {
  if (targets.length === 0) return true;
  const fullId = configFile === "" ? plotId : `${configFile}::${plotId}`;
  return targets.some((target) => {
    let pattern: RegExp;
    try {
      pattern = new RegExp(`^(?:${target})`, "u");
    } catch {
      return plotId.startsWith(target) || fullId.startsWith(target);
    }
    return pattern.test(plotId) || pattern.test(fullId);
  });
}

/** `_closest_parent`: the parent sharing the longest common path with `path`. */
function closestParent(path: string, parents: readonly string[]): string {
  let best = "";
  for (const parent of parents) {
    const common = commonPath(path, parent);
    if (common.length > best.length) best = common;
  }
  return best;
}

function commonPath(a: string, b: string): string {
  const partsA = a.split("/");
  const partsB = b.split("/");
  const common: string[] = [];
  for (let i = 0; i < partsA.length && i < partsB.length && partsA[i] === partsB[i]; i++)
    common.push(partsA[i]!);
  return common.join("/");
}
