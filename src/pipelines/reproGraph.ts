/**
 * DVC's graph as `repro` walks it (dvc/repo/graph.py `build_graph`, made "active" by reproduce.py): every
 * dvc.yaml stage and every `.dvc` data source (dataSources.ts) is a node, so a `.dvc` file is reproduced
 * where the walk meets it, just before the first stage that reads it, not before every stage. Nodes are in
 * dvc's index order (files as its walk meets them, walkOrder below; a file's stages in their order); a
 * stage's upstream nodes are in the order of the deps that reach them, as networkx keeps its edges. A data
 * source is named by its `.dvc` file's absolute path, which no stage address can be.
 */
import { resolve, sep } from "node:path";
import { isSameOrInside, type TrackedOut } from "../data/dvcFile.js";
import { dataSourceFiles, dataSourcesFeeding } from "./dataSources.js";
import type { Pipeline, Stage } from "./dvcYaml.js";
import { buildDag } from "./pipelineDag.js";
import { stageOuts } from "./stageStatus.js";

export interface ReproGraph {
  /** Stage names and data sources' `.dvc` paths, in dvc's index order. */
  readonly nodes: readonly string[];
  /** The data sources' outs, by `.dvc` path. */
  readonly sources: ReadonlyMap<string, readonly TrackedOut[]>;
  /** Direct upstream nodes of the active graph: none for a frozen stage, nor for a data source. */
  parents(name: string): string[];
  /** Direct upstream nodes, frozen or not (what a stage reads, whatever repro plans). */
  allParents(name: string): string[];
  /** Direct downstream nodes of the active graph: a frozen stage is not one. */
  children(name: string): string[];
}

export function reproGraph(pipeline: Pipeline): ReproGraph {
  const dag = buildDag(pipeline);
  const sources = dataSourceFiles(pipeline.trackedOuts ?? []);
  const stages = new Map(pipeline.stages.map((stage) => [stage.name, stage]));
  const byFile = [
    ...pipeline.stages.map((stage) => ({ name: stage.name, file: stage.pipelineFile })),
    ...[...sources.keys()].map((dvcFile) => ({ name: dvcFile, file: dvcFile })),
  ];
  // Stable: a file's stages keep their order.
  const nodes = byFile.sort((a, b) => walkOrder(a.file, b.file)).map((n) => n.name);

  const allParents = new Map<string, string[]>();
  const children = new Map<string, string[]>(nodes.map((name) => [name, []]));
  for (const stage of pipeline.stages) {
    const producers = [...dag.parents(stage.name), ...dataSourcesFeeding(stage, sources)];
    const firstDep = new Map(
      producers.map((name) => [name, firstDepReading(stage, producedBy(name, stages, sources))]),
    );
    // Stable: producers reached by the same dep keep the stages first, as before.
    const ordered = producers.sort((a, b) => (firstDep.get(a) ?? 0) - (firstDep.get(b) ?? 0));
    allParents.set(stage.name, ordered);
    if (stage.frozen) continue;
    for (const parent of ordered) children.get(parent)?.push(stage.name);
  }
  const frozen = (name: string): boolean => stages.get(name)?.frozen === true;
  return {
    nodes,
    sources,
    parents: (name) => (frozen(name) ? [] : [...(allParents.get(name) ?? [])]),
    allParents: (name) => [...(allParents.get(name) ?? [])],
    children: (name) => [...(children.get(name) ?? [])],
  };
}

/**
 * The order dvc's index walks files in (os.walk, top-down): a directory's files before any of its
 * subdirectories, each subdirectory whole before the next. Within a directory dvc follows the filesystem's
 * listing order, which no portable order can repeat; names are sorted there.
 */
function walkOrder(a: string, b: string): number {
  const aParts = a.split(sep);
  const bParts = b.split(sep);
  for (let i = 0; i < Math.min(aParts.length, bParts.length); i++) {
    const [aPart, bPart] = [aParts[i]!, bParts[i]!];
    if (aPart === bPart) continue;
    const aIsFile = i === aParts.length - 1;
    const bIsFile = i === bParts.length - 1;
    if (aIsFile !== bIsFile) return aIsFile ? -1 : 1;
    return aPart < bPart ? -1 : 1;
  }
  return aParts.length - bParts.length;
}

/** The absolute paths a node writes: a stage's outs, metrics and plots, or a `.dvc` file's outs. */
function producedBy(
  name: string,
  stages: ReadonlyMap<string, Stage>,
  sources: ReadonlyMap<string, readonly TrackedOut[]>,
): string[] {
  const stage = stages.get(name);
  if (stage !== undefined) return stageOuts(stage).map((out) => resolve(stage.wdir, out.path));
  return (sources.get(name) ?? []).map((out) => out.abs);
}

/** The index of the first dep of `stage` that overlaps one of `paths`. */
function firstDepReading(stage: Stage, paths: readonly string[]): number {
  const index = stage.deps
    .map((dep) => resolve(stage.wdir, dep))
    .findIndex((dep) => paths.some((path) => isSameOrInside(dep, path) || isSameOrInside(path, dep)));
  return index < 0 ? stage.deps.length : index;
}
