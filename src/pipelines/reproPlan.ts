/**
 * Which stages and `.dvc` data sources a `repro` considers, and in what order, as DVC's `reproduce` and
 * `plan_repro` choose them (dvc/repo/reproduce.py): the nodes its targets select (resolved relative to the
 * cwd), with everything upstream of them, dependencies first; `downstream` swaps upstream for downstream,
 * `pipeline` takes each target's whole pipeline (the connected part of the graph it lies in). A `.dvc` data
 * source is a node like a stage (reproGraph.ts), so it comes where DVC's walk meets it. Planning uses DVC's
 * "active" graph: a frozen stage is cut off from what it depends on, so reproducing below it never reruns
 * what is above it. It only plans; repro.ts runs the plan.
 */
import { statSync } from "node:fs";
import { resolve } from "node:path";
import { isSameOrInside, type TrackedOut } from "../data/dvcFile.js";
import type { Pipeline } from "./dvcYaml.js";
import { reproGraph, type ReproGraph } from "./reproGraph.js";
import { resolveReproTargets, type ReproTargetOptions } from "./statusTargets.js";

/** What a repro starts from. */
export interface ReproTargets extends ReproTargetOptions {
  /**
   * Targets as `dvc repro` takes them, relative to `cwd`: `train`, `dvc.yaml:train`, `prep/dvc.yaml:clean`,
   * `../dvc.yaml:train`, `prep/dvc.yaml` (all its stages), a foreach/matrix group, or a `.dvc` file.
   */
  targets?: readonly string[];
  /**
   * The directory the targets are relative to, as dvc's cwd is: given, no targets means the stages of its
   * dvc.yaml (plain `dvc repro`); absent, targets are relative to the repo root and no targets means every
   * stage of every dvc.yaml (`dvc repro --all-pipelines`).
   */
  cwd?: string;
  /** Only the targets, not their upstream stages, in the order given. */
  singleItem?: boolean;
  /** `--downstream`: the targets and every stage that depends on them, instead of what they depend on. */
  downstream?: boolean;
  /** `-p`: every stage of the pipelines (connected parts of the graph) the targets belong to. */
  wholePipeline?: boolean;
}

/**
 * One planned node: the planned nodes it depends on, and those it only runs after (`-s`). A data source
 * is named by its `.dvc` file's absolute path and carries its outs.
 */
export interface PlannedStage {
  name: string;
  /** Upstream in DVC's graph: a failure there skips this stage; a run there forces it (--force-downstream). */
  upstream: string[];
  /** Earlier `-s` items it must not overlap with: an order only, as DVC has no graph between them. */
  after?: string[];
  /** A `.dvc` data source (dataSources.ts): its outs, all from that one file. */
  dataSource?: readonly TrackedOut[];
}

/** Whether every stage from all pipelines is planned (no cwd, no targets: `--all-pipelines`). */
function plansAllPipelines(options: ReproTargets): boolean {
  return options.cwd === undefined && (options.targets ?? []).length === 0;
}

/**
 * Whether the plan is `-s` items, which DVC runs with no graph between them: `-p` and `--all-pipelines`
 * turn `-s` off (dvc/repo/reproduce.py), as planStages does.
 */
export function plansSingleItems(options: ReproTargets): boolean {
  return options.singleItem === true && options.wholePipeline !== true && !plansAllPipelines(options);
}

/** The stages and data sources to consider, in DVC's order, each with the planned nodes it waits for. */
export function planStages(pipeline: Pipeline, options: ReproTargets): PlannedStage[] {
  return planRepro(pipeline, options).stages;
}

export interface ReproPlan {
  stages: PlannedStage[];
  /**
   * Every node of the active graph below `name`, planned or not, in index order: what dvc's `handle_error`
   * names as skipped when `name` fails under --keep-going (it walks the whole graph, not the plan).
   */
  dependants(name: string): string[];
}

export function planRepro(pipeline: Pipeline, options: ReproTargets): ReproPlan {
  const graph = reproGraph(pipeline);
  const walk = activeWalk(graph);
  const dependants = (name: string): string[] => {
    const below = walk.below([name]);
    below.delete(name);
    return walk.postOrder(graph.nodes).filter((other) => below.has(other));
  };
  return { stages: planNodes(pipeline, graph, walk, options), dependants };
}

function planNodes(
  pipeline: Pipeline,
  graph: ReproGraph,
  walk: ActiveWalk,
  options: ReproTargets,
): PlannedStage[] {
  const allPipelines = plansAllPipelines(options);
  const targets = allPipelines ? [] : targetNodes(pipeline, graph, options);
  let names: string[];
  if (plansSingleItems(options)) return singleItems(graph, targets);
  // Targets that select nothing (`-R` of a directory without a dvc.yaml or `.dvc` file, a `--glob` matching
  // no stage) are no targets to dvc's `get_subgraph_of_nodes`: it plans the whole graph, as `-P` does.
  if (allPipelines || targets.length === 0) names = walk.postOrder(graph.nodes);
  else if (options.wholePipeline === true) names = wholePipelines(walk, graph.nodes, targets);
  else if (options.downstream === true) names = walk.postOrder(graph.nodes, walk.below(targets));
  // dvc walks its subgraph in the index's order (graph.subgraph keeps the graph's node order once the
  // subgraph is at least half the graph, and is a hash-ordered set below that): not the order targets are given.
  else names = walk.postOrder(graph.nodes, new Set(walk.postOrder(targets)));
  return names.map((name) => planned(graph, name, { upstream: graph.parents(name) }));
}

function planned(graph: ReproGraph, name: string, waits: Omit<PlannedStage, "name">): PlannedStage {
  const outs = graph.sources.get(name);
  return { name, ...waits, ...(outs !== undefined ? { dataSource: outs } : {}) };
}

/**
 * The nodes the targets name, in their order: a `.dvc` data source as itself (DVC collects it as a stage),
 * the rest as resolveReproTargets resolves them; no targets is the cwd's dvc.yaml.
 */
function targetNodes(pipeline: Pipeline, graph: ReproGraph, options: ReproTargets): string[] {
  const cwd = options.cwd ?? pipeline.root;
  const sources = { root: pipeline.root, cwd, pipeline };
  const targets = options.targets ?? [];
  if (targets.length === 0) return resolveReproTargets(sources, [], options).map((stage) => stage.name);
  const names = targets.flatMap((target) => {
    const abs = resolve(cwd, target);
    if (options.recursive === true && isDirectory(abs)) return insideDirectory(pipeline, graph, abs);
    if (options.glob !== true && graph.sources.has(abs)) return [abs];
    return resolveReproTargets(sources, [target], options).map((stage) => stage.name);
  });
  return [...new Set(names)];
}

function isDirectory(abs: string): boolean {
  return statSync(abs, { throwIfNoEntry: false })?.isDirectory() === true;
}

/**
 * `-R <dir>`: every node whose file (dvc.yaml or `.dvc`) lies inside `dirAbs`, at any depth, in DVC's
 * `collect_inside_path` order: a DFS post-order of the whole index graph, frozen stages' edges kept.
 */
function insideDirectory(pipeline: Pipeline, graph: ReproGraph, dirAbs: string): string[] {
  const files = new Map(pipeline.stages.map((stage) => [stage.name, stage.pipelineFile]));
  const seen = new Set<string>();
  const order: string[] = [];
  const visit = (name: string): void => {
    if (seen.has(name)) return;
    seen.add(name);
    for (const parent of graph.allParents(name)) visit(parent);
    order.push(name);
  };
  for (const name of graph.nodes) visit(name);
  return order.filter((name) => isSameOrInside(files.get(name) ?? name, dirAbs));
}

interface ActiveWalk {
  /**
   * DFS post-order from `roots`, upstream first, in the order a node's deps reach its upstream nodes
   * (networkx's `dfs_postorder_nodes`); with `within`, only those nodes are visited, as on DVC's subgraph.
   */
  postOrder(roots: Iterable<string>, within?: ReadonlySet<string>): string[];
  /** The nodes `names` are, and every stage that depends on one of them. */
  below(names: readonly string[]): Set<string>;
  /** The nodes connected to `name` by any chain of dependencies, in either direction. */
  component(name: string): Set<string>;
}

function activeWalk(graph: ReproGraph): ActiveWalk {
  const reach = (start: readonly string[], next: (name: string) => string[]): Set<string> => {
    const reached = new Set(start);
    const queue = [...start];
    for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
      for (const other of next(name)) {
        if (reached.has(other)) continue;
        reached.add(other);
        queue.push(other);
      }
    }
    return reached;
  };
  return {
    postOrder: (roots, within) => {
      const seen = new Set<string>();
      const order: string[] = [];
      const visit = (name: string): void => {
        if (seen.has(name) || (within !== undefined && !within.has(name))) return;
        seen.add(name);
        for (const parent of graph.parents(name)) visit(parent);
        order.push(name);
      };
      for (const root of roots) visit(root);
      return order;
    },
    below: (names) => reach(names, graph.children),
    component: (name) => reach([name], (other) => [...graph.parents(other), ...graph.children(other)]),
  };
}

/**
 * `-s`: the targets alone, in the order given, as DVC runs them (its plan is the collected stages, no graph).
 * DVC runs them one by one, so with `--jobs` a node must still wait for every earlier item it is related to
 * in the graph, whichever way: a stage removes its outs when it starts, so running it beside a stage that reads
 * them (downstream, even through stages not listed) or writes what it reads (upstream) races on those files.
 * Unrelated items may still overlap. The full graph, not the active one, decides: a frozen stage still reads
 * its deps, and waiting longer never departs from DVC's sequential order.
 * That wait is `after`, not `upstream`: with no graph, DVC's `-k` skips nothing below a failed item and
 * `--force-downstream` forces nothing (dvc/repo/reproduce.py passes `graph=None` for single items).
 */
function singleItems(graph: ReproGraph, targets: readonly string[]): PlannedStage[] {
  const ancestors = new Map(targets.map((name) => [name, upstreamOf(graph, name)]));
  const related = (one: string, other: string): boolean =>
    ancestors.get(one)?.has(other) === true || ancestors.get(other)?.has(one) === true;
  return targets.map((name, index) =>
    planned(graph, name, {
      upstream: [],
      after: targets.slice(0, index).filter((earlier) => related(name, earlier)),
    }),
  );
}

/** Every node `name` reads from, transitively, frozen stages included. */
function upstreamOf(graph: ReproGraph, name: string): Set<string> {
  const reached = new Set<string>();
  const queue = graph.allParents(name);
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    if (reached.has(next)) continue;
    reached.add(next);
    queue.push(...graph.allParents(next));
  }
  return reached;
}

/**
 * `-p`: the pipelines the targets lie in, one after another in the order the targets name them (DVC
 * composes them in that order), each in index order.
 */
function wholePipelines(walk: ActiveWalk, all: readonly string[], targets: readonly string[]): string[] {
  const names: string[] = [];
  const taken = new Set<string>();
  for (const target of targets) {
    if (taken.has(target)) continue;
    const component = walk.component(target);
    for (const name of component) taken.add(name);
    names.push(...walk.postOrder(all, component));
  }
  return names;
}
